import Foundation
import Logging
import RPCCore
import RPCNIO
import ServiceClients
import ServiceKit
import ServiceLifecycle
import Storage

/// `payment-svc`: fee payments of level-4 dossiers through a VNPay-style provider, the
/// provider's callbacks (forwarded by the gateway), electronic receipts, refunds, expiry.
///
/// Needs `--catalog` (the fee schedule and levels) and `--dossier` (the dossier a fee is for);
/// its events go to dossier-svc ("paid" settles the fee) and, with `--notify`, notify-svc.
/// The provider is configured with `--config` keys (secrets never on the command line):
/// `vnpay_tmn_code`, `vnpay_hash_secret`, `vnpay_pay_url`, `vnpay_api_url`,
/// `payment_return_url` (the gateway's return page), `payment_timeout_minutes` (default 15),
/// `payment_timeout_seconds` (overrides minutes), `payment_expiry_scan_seconds` (default 30).
public enum PaymentServiceApp: PlatformService {
    public static let executableName = "payment-svc"
    /// Backups hold `payment.sqlite` (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "payment")

    public static var migrations: Migrations { PaymentSchema.migrations }

    /// The ledger's database: `payment.sqlite` in the data directory, or the PostgreSQL
    /// database the `database` setting names (docs/payment.md, docs/storage-backends.md).
    public static func database(_ settings: ServiceSettings, logger: Logger) throws -> ServiceDatabase {
        try settings.openDatabase(name: "payment", migrations: migrations, postgres: true, logger: logger)
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try database(settings, logger: logger)
        let catalog = try settings.client("catalog", try settings.requiredPeers("catalog"), logger: logger)
        // dossier-svc's shards (config dossier_shards) or its --dossier peers.
        guard let dossiers = try DossierShards.client(settings, logger: logger) else {
            _ = try settings.requiredPeers("dossier")  // says what is missing
            throw ServiceSettings.InvalidSetting(description: "payment-svc needs --dossier or dossier_shards")
        }
        let extra = settings.extra
        func required(_ key: String) throws -> String {
            guard let value = extra[key], !value.isEmpty else {
                throw ServiceSettings.InvalidSetting(description: "payment-svc needs \(key) in its --config file (the provider's settings)")
            }
            return value
        }
        let provider = VNPayProvider(configuration: .init(
            terminalCode: try required("vnpay_tmn_code"), hashSecret: try Self.hashSecret(required("vnpay_hash_secret")),
            payURL: try required("vnpay_pay_url"), apiURL: try required("vnpay_api_url")))
        // The national payment platform, beside it, for the agencies and procedures listed
        // (docs/payment.md, "Choosing the provider").
        var national: NationalPaymentProvider?
        if extra["dvcqg_pay_merchant_code"] != nil {
            national = NationalPaymentProvider(configuration: .init(
                merchantCode: try required("dvcqg_pay_merchant_code"), secret: try Self.hashSecret(required("dvcqg_pay_secret"), key: "dvcqg_pay_secret"),
                payURL: try required("dvcqg_pay_url"), apiURL: try required("dvcqg_pay_api_url")))
        }
        func list(_ key: String) -> Set<String> {
            Set((extra[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        let nationalAgencies = list("dvcqg_pay_agencies"), nationalProcedures = list("dvcqg_pay_procedures")
        if national == nil, !nationalAgencies.isEmpty || !nationalProcedures.isEmpty {
            throw ServiceSettings.InvalidSetting(description: "dvcqg_pay_agencies / dvcqg_pay_procedures need the national payment platform's settings (dvcqg_pay_merchant_code, dvcqg_pay_secret, dvcqg_pay_url, dvcqg_pay_api_url)")
        }
        let providers = PaymentProviders(standard: provider, national: national,
                                         nationalAgencies: nationalAgencies, nationalProcedures: nationalProcedures)
        var ledgerSettings = PaymentLedger.Settings(defaultReturnURL: extra["payment_return_url"] ?? "")
        if let minutes = Int(extra["payment_timeout_minutes"] ?? ""), minutes > 0 {
            ledgerSettings.timeout = .seconds(minutes * 60)
        }
        // Seconds win over minutes: drills and tests that watch a payment expire.
        if let seconds = Int(extra["payment_timeout_seconds"] ?? ""), seconds > 0 {
            ledgerSettings.timeout = .seconds(seconds)
        }
        // What callback_log keeps of refused callbacks (CallbackLogLimits); a bad value stops
        // the process naming the key.
        for (key, path) in [("callback_log_query_bytes", \CallbackLogLimits.maximumQueryBytes),
                            ("refused_callbacks_per_minute", \CallbackLogLimits.refusedPerMinute),
                            ("refused_callbacks_kept", \CallbackLogLimits.refusedKept)] {
            guard let text = extra[key] else { continue }
            guard let value = Int(text), value > 0 else {
                throw ServiceSettings.InvalidSetting(description: "\(key): '\(text)' is not a positive whole number")
            }
            ledgerSettings.callbackLog[keyPath: path] = value
        }
        let ledger = PaymentLedger(database: database, dossiers: dossiers, catalog: catalog, providers: providers,
                                   settings: ledgerSettings, logger: logger)
        var peers: [String: any RPCClientProtocol] = ["dossier-svc": dossiers]
        if let notify = settings.peers["notify"] { peers["notify-svc"] = try settings.client("notify", notify, logger: logger) }
        let scan = Int(extra["payment_expiry_scan_seconds"] ?? "") ?? 30
        return ServiceParts(
            services: [PaymentAPI(ledger: ledger)],
            background: [
                OutboxRelayService(database: database, peers: peers, logger: logger),
                PaymentExpiry(ledger: ledger, interval: .seconds(max(1, scan)), logger: logger),
            ],
            samplers: MetricsSampler.outbox(database))
    }

    /// The provider's shared secret signs every callback payment-svc believes: one an attacker
    /// can guess lets them mark any dossier paid (`ServiceSettings.strongSecret`).
    static func hashSecret(_ secret: String, key: String = "vnpay_hash_secret") throws -> String {
        try ServiceSettings.strongSecret(secret, key: "--config: \(key)", issuedBy: "the secret the payment provider issued")
    }
}
