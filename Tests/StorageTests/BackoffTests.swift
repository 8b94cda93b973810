import Storage
import Testing

@Suite struct BackoffTests {
    @Test func defaultsDoubleFrom100msAndCapAt60s() {
        let backoff = Backoff()
        #expect(backoff.initial == .milliseconds(100))
        #expect(backoff.maximum == .seconds(60))
        let waits = (1...12).map { backoff.delay(afterFailures: $0, random: 0) }
        #expect(Array(waits.prefix(4)) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(waits[9] == .milliseconds(51_200))
        #expect(waits[10] == .seconds(60))
        #expect(waits[11] == .seconds(60))
    }

    @Test func jitterOnlyStretchesUpToItsFraction() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.2)
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 1, random: 0.5) == .milliseconds(110))
        #expect(backoff.delay(afterFailures: 10, random: 0.999) <= .milliseconds(1200))
        for _ in 0..<100 {
            let wait = backoff.delay(afterFailures: 3)
            #expect(wait >= .milliseconds(400) && wait <= .milliseconds(480))
        }
    }

    @Test func manyFailuresNeitherOverflowNorGoPastTheCap() {
        let backoff = Backoff(jitter: 0)
        #expect(backoff.delay(afterFailures: 64) == .seconds(60))
        #expect(backoff.delay(afterFailures: Int.max) == .seconds(60))
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(100))
    }
}
