import Storage
import Testing

@testable import NotifyService

/// Exponential backoff between attempts, and the permanent failure after N.
@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(initial: .seconds(1), maximum: .seconds(10), jitter: 0.2))

    @Test func waitsDoubleUpToTheCap() {
        let waits = (1...4).map { attempts -> Int64 in
            guard case .retry(let at) = policy.afterFailure(attempts: attempts, permanent: false, nowMs: 1_000, random: 0)
            else { return -1 }
            return at - 1_000
        }
        #expect(waits == [1_000, 2_000, 4_000, 8_000])
        let capped = RetryPolicy(maxAttempts: 50, backoff: policy.backoff)
        #expect(capped.afterFailure(attempts: 20, permanent: false, nowMs: 0, random: 0) == .retry(atUnixMs: 10_000))
        // Jitter only stretches, by at most 20 %.
        #expect(capped.afterFailure(attempts: 20, permanent: false, nowMs: 0, random: 0.999_999) == .retry(atUnixMs: 12_000))
    }

    @Test func givesUpAfterMaxAttemptsOrAtOnceWhenPermanent() {
        #expect(policy.afterFailure(attempts: 5, permanent: false, nowMs: 0) == .giveUp)
        #expect(policy.afterFailure(attempts: 1, permanent: true, nowMs: 0) == .giveUp)
    }

    @Test func settingsComeFromTheConfigKeys() throws {
        let settings = try NotifySettings(["smtp_host": "127.0.0.1", "smtp_port": "2525", "max_attempts": "3",
                                           "retry_initial_ms": "200", "retry_max_ms": "1000",
                                           "sms_url": "http://127.0.0.1:8025/sms", "mail_from": "dvc@example.vn"])
        #expect(settings.smtp?.port == 2525)
        #expect(settings.retry.maxAttempts == 3)
        #expect(settings.retry.backoff.initial == .milliseconds(200))
        #expect(settings.messageIDDomain == "example.vn")
        #expect(throws: NotifySettings.Invalid.self) { try NotifySettings(["max_attempts": "zero"]) }
        #expect(throws: NotifySettings.Invalid.self) { try NotifySettings(["sms_url": "ftp://x"]) }
    }
}
