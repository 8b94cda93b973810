import Foundation
import ServiceKit
import Storage

/// notify-svc's own settings, from `--config` keys (`ServiceSettings.extra`):
///
/// | key | default | meaning |
/// |---|---|---|
/// | `smtp_host` | none | the SMTP relay; without it email deliveries wait in the queue |
/// | `smtp_port` | 25 | |
/// | `smtp_helo` | `notify-svc.localdomain` | the name given in EHLO |
/// | `smtp_timeout_ms` | 30000 | one message's whole SMTP conversation |
/// | `smtp_starttls` | `auto` | `auto`: STARTTLS when offered; `required`: never in clear; `off` |
/// | `smtp_tls_ca_file` | system CAs | PEM file of the authorities the SMTP server's certificate may come from |
/// | `mail_from` | `khong-tra-loi@dichvucong.localhost` | envelope and From address |
/// | `mail_from_name` | `Dịch vụ công trực tuyến` | From display name |
/// | `sms_url` | none | the SMS gateway's webhook; without it SMS deliveries wait |
/// | `sms_api_key` | "" | sent as `X-API-Key` |
/// | `max_attempts` | 8 | attempts before a delivery is failed for good |
/// | `retry_initial_ms` | 30000 | the wait after the first failure, doubling |
/// | `retry_max_ms` | 3600000 | the longest wait |
/// | `poll_ms` | 1000 | how often the queue is looked at when nothing wakes the worker |
/// | `webhook_max_attempts` | 20 | attempts at one webhook delivery before it is failed for good |
/// | `webhook_retry_initial_ms` | 10000 | the wait after a webhook's first failure, doubling |
/// | `webhook_retry_max_ms` | 3600000 | the longest wait between webhook attempts |
/// | `webhook_timeout_ms` | 10000 | one webhook request, connection to answer |
struct NotifySettings: Sendable {
    /// A bad key in the config file; the process stops at start with this message.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var smtp: SMTPClient.Configuration?
    var mailFrom: String
    var mailFromName: String
    var sms: SMSWebhookClient.Configuration?
    var retry: RetryPolicy
    var poll: Duration
    /// The agency systems' webhooks (docs/webhooks.md, "Retries"): with the defaults, attempts
    /// after 10 s, 20 s, 40 s … 1 h (each stretched by up to 20 % at random), then hourly, for
    /// about 11.5 hours in all.
    var webhookRetry: RetryPolicy
    var webhookTimeout: Duration

    init(_ extra: [String: String]) throws {
        func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = extra[key] else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw NotifySettings.Invalid(description: "--config \(key): '\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        if let host = extra["smtp_host"], !host.isEmpty {
            var smtp = SMTPClient.Configuration(host: host, port: try int("smtp_port", 25, 1...65535))
            smtp.heloName = extra["smtp_helo"] ?? smtp.heloName
            smtp.timeout = .milliseconds(try int("smtp_timeout_ms", 30_000, 100...600_000))
            let starttls = extra["smtp_starttls"] ?? "auto"
            guard let mode = SMTPClient.StartTLS(rawValue: starttls) else {
                throw Invalid(description: "--config smtp_starttls: '\(starttls)' is not auto, required or off")
            }
            smtp.starttls = mode
            if let caFile = extra["smtp_tls_ca_file"], !caFile.isEmpty {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw Invalid(description: "--config smtp_tls_ca_file: cannot read '\(caFile)'")
                }
                smtp.caFile = caFile
            }
            self.smtp = smtp
        }
        let from = extra["mail_from"] ?? "khong-tra-loi@dichvucong.localhost"
        guard let mailFrom = ContactAddress.email(from) else {
            throw NotifySettings.Invalid(description: "--config mail_from: '\(from)' is not an email address")
        }
        self.mailFrom = mailFrom
        mailFromName = extra["mail_from_name"] ?? "Dịch vụ công trực tuyến"
        if let text = extra["sms_url"], !text.isEmpty {
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw NotifySettings.Invalid(description: "--config sms_url: '\(text)' is not an http(s) URL")
            }
            sms = SMSWebhookClient.Configuration(url: url, apiKey: extra["sms_api_key"] ?? "")
        }
        let initial = try int("retry_initial_ms", 30_000, 1...86_400_000)
        let maximum = try int("retry_max_ms", 3_600_000, initial...86_400_000)
        retry = RetryPolicy(maxAttempts: try int("max_attempts", 8, 1...1000),
                            backoff: Backoff(initial: .milliseconds(initial), maximum: .milliseconds(maximum)))
        poll = .milliseconds(try int("poll_ms", 1000, 10...60_000))
        let webhookInitial = try int("webhook_retry_initial_ms", 10_000, 1...86_400_000)
        let webhookMaximum = try int("webhook_retry_max_ms", 3_600_000, webhookInitial...86_400_000)
        webhookRetry = RetryPolicy(maxAttempts: try int("webhook_max_attempts", 20, 1...1000),
                                   backoff: Backoff(initial: .milliseconds(webhookInitial), maximum: .milliseconds(webhookMaximum)))
        webhookTimeout = .milliseconds(try int("webhook_timeout_ms", 10_000, 100...120_000))
    }

    /// The domain of Message-IDs: the sender's.
    var messageIDDomain: String { String(mailFrom.split(separator: "@").last ?? "localhost") }
}
