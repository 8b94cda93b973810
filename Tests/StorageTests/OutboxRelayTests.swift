import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@Suite struct OutboxRelayTests {
    static func open(_ place: TestDatabasePlace) throws -> ServiceDatabase {
        try place.open(migrations: Fixtures.migrations())
    }

    static func pending(_ database: ServiceDatabase) async throws -> Int {
        try await database.read { db in try Outbox.backlog(in: db) }
    }

    @Test(arguments: TestDatabases.backends) func deliversInCommitOrderAndMarksDelivered(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try Self.open(place)
        var expected: [String] = []
        for index in 0..<20 { expected.append(try await Fixtures.submit("d\(index % 3)-\(index)", in: database).id) }

        let recorder = Recorder()
        let relay = makeRelay(database, configuration: .fast(), deliver: recorder.deliver)
        #expect(try await relay.deliverDue() == 20)

        #expect(recorder.delivered == expected)
        #expect(try await Self.pending(database) == 0)
        let undelivered = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL OR attempts != 0")
        }
        #expect(undelivered == 0)
    }

    @Test(arguments: TestDatabases.backends) func eventsOfOneAggregateStayInOrderAcrossBatches(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        var expected: [String] = []
        try await database.write { db in
            try db.execute(sql: "INSERT INTO dossier (id, status) VALUES ('d1', 1)")
        }
        for _ in 0..<7 {
            expected.append(try await database.write { db in
                try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: "notify-svc", in: db)
            }.id)
        }
        var configuration = OutboxRelay.Configuration.fast()
        configuration.batchSize = 2
        let recorder = Recorder()
        let relay = makeRelay(database, configuration: configuration, deliver: recorder.deliver)
        #expect(try await relay.deliverDue() == 7)
        #expect(recorder.delivered == expected)
    }

    @Test(arguments: TestDatabases.backends) func aCommitWakesTheRelayWithoutWaitingForThePoll(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try Self.open(place)
        let recorder = Recorder()
        let relay = makeRelay(database, configuration: .fast(poll: .seconds(3600)), deliver: recorder.deliver)
        let running = Task { try await relay.run() }

        try await Task.sleep(for: .milliseconds(50))  // let it go to sleep
        let event = try await Fixtures.submit("d1", in: database)
        #expect(await eventually(timeout: .seconds(5)) { recorder.delivered == [event.id] })

        running.cancel()
        try await running.value
    }

    @Test(arguments: TestDatabases.backends) func failuresAreRecordedAndRetriedWithGrowingWaitsUntilDelivered(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try Self.open(place)
        let event = try await Fixtures.submit("d1", in: database)
        let recorder = Recorder { _, attempt in attempt < 4 }
        // 10, 20, 40, 80 ms between the five attempts (no jitter).
        let relay = makeRelay(
            database,
            configuration: .fast(backoff: Backoff(initial: .milliseconds(10), maximum: .seconds(1), jitter: 0)),
            deliver: recorder.deliver)

        // The first attempt fails: the row records it and waits.
        #expect(try await relay.deliverDue() == 0)
        let rowRow = try await database.read { db in try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox") }
        let row = try #require(rowRow)
        #expect(row["attempts"] as Int == 1)
        #expect(row["last_error"] as String == "receiver unavailable")
        #expect(row["next_attempt_at"] as Int64 >= row["created_at"] as Int64 + 10)
        #expect(row["delivered_at"] as Int64? == nil)
        #expect(try await relay.deliverDue() == 0)  // not due yet: no new attempt

        let running = Task { try await relay.run() }
        #expect(await eventually { recorder.delivered == [event.id] })
        running.cancel()
        try await running.value

        let calls = recorder.all
        #expect(calls.count == 5)
        let gaps = zip(calls, calls.dropFirst()).map { $1.at - $0.at }
        for (gap, minimum) in zip(gaps, [10, 20, 40, 80]) {
            #expect(gap >= .milliseconds(minimum - 1), "gap \(gap) shorter than the backoff \(minimum) ms")
        }
        let finalRow = try await database.read { db in try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox") }
        let final = try #require(finalRow)
        #expect(final["attempts"] as Int == 4)
        #expect(final["delivered_at"] as Int64? != nil)
        #expect(final["last_error"] as String? == nil)
    }

    @Test(arguments: TestDatabases.backends) func anEventThatKeepsFailingIsNeverDropped(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try Self.open(place)
        let event = try await Fixtures.submit("d1", in: database)
        var configuration = OutboxRelay.Configuration.fast(
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(2), jitter: 0))
        configuration.retention = .zero
        let failing = Recorder { _, _ in true }
        let relay = makeRelay(database, configuration: configuration, deliver: failing.deliver)

        let running = Task { try await relay.run() }
        #expect(await eventually { failing.all.count >= 30 })
        running.cancel()
        try await running.value
        try await relay.pruneDelivered()

        let rowRow = try await database.read { db in try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox") }
        let row = try #require(rowRow)
        #expect(row["attempts"] as Int >= 30)
        #expect(row["delivered_at"] as Int64? == nil)
        #expect(try await Self.pending(database) == 1)

        // Once the receiver is back, it goes through.
        let healthy = Recorder()
        try await Task.sleep(for: .milliseconds(5))
        let recovered = makeRelay(database, configuration: configuration, deliver: healthy.deliver)
        #expect(try await recovered.deliverDue() == 1)
        #expect(healthy.delivered == [event.id])
    }

    @Test(arguments: TestDatabases.backends) func aFailingAggregateHoldsBackOnlyItsOwnLaterEvents(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        let a1 = try await Fixtures.submit("a", in: database)
        let b1 = try await Fixtures.submit("b", in: database)
        let a2 = try await database.write { db in
            try Outbox.enqueue(Fixtures.event(type: "dossier.processed", aggregate: "a"), to: "notify-svc", in: db)
        }
        let b2 = try await database.write { db in
            try Outbox.enqueue(Fixtures.event(type: "dossier.processed", aggregate: "b"), to: "notify-svc", in: db)
        }
        let recorder = Recorder { event, attempt in event.id == a1.id && attempt == 0 }
        let relay = makeRelay(
            database,
            configuration: .fast(backoff: Backoff(initial: .seconds(3600), maximum: .seconds(3600), jitter: 0)),
            deliver: recorder.deliver)

        #expect(try await relay.deliverDue() == 2)
        #expect(recorder.delivered == [b1.id, b2.id])
        #expect(!recorder.all.contains { $0.eventID == a2.id })  // never sent ahead of a1

        // a1 becomes due again: a1 then a2.
        try await database.write { db in try db.execute(sql: "UPDATE outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL") }
        #expect(try await relay.deliverDue() == 2)
        #expect(recorder.delivered == [b1.id, b2.id, a1.id, a2.id])
    }

    @Test(arguments: TestDatabases.backends) func eachDestinationIsDeliveredAndRetriedOnItsOwn(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        let event = try await database.write { db in
            try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: ["notify-svc", "payment-svc"], in: db)
        }
        let recorder = Recorder { _, _ in false }
        let paymentDown = Recorder { _, _ in true }
        let relay = makeRelay(database, configuration: .fast()) { event, destination in
            try await (destination == "payment-svc" ? paymentDown : recorder).deliver(event, destination)
        }
        #expect(try await relay.deliverDue() == 1)
        #expect(recorder.delivered == [event.id])
        #expect(try await database.read { db in try Outbox.backlogByDestination(in: db) } == ["payment-svc": 1])
    }

    @Test(arguments: TestDatabases.backends) func twoRelaysOnOneDatabaseLoseNothing(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try Self.open(place)
        let first = Recorder()
        let second = Recorder()
        let relays = [
            makeRelay(database, configuration: .fast(), deliver: first.deliver),
            makeRelay(database, configuration: .fast(), deliver: second.deliver),
        ]
        let running = relays.map { relay in Task { try await relay.run() } }

        var expected = Set<String>()
        for index in 0..<60 { expected.insert(try await Fixtures.submit("d\(index)", in: database).id) }

        #expect(await eventually { (try? await Self.pending(database)) == 0 })
        for task in running { task.cancel() }
        for task in running { try await task.value }
        #expect(Set(first.delivered + second.delivered) == expected)
    }

    @Test(arguments: TestDatabases.backends) func aRestartedRelayDeliversWhatTheStoppedOneLeft(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        var expected: [String] = []
        do {
            let database = try Self.open(place)
            for index in 0..<10 { expected.append(try await Fixtures.submit("d\(index)", in: database).id) }
            // The first relay is stopped in the middle of a delivery that never returns.
            let stuck = makeRelay(database, configuration: .fast()) { _, _ in
                try await Task.sleep(for: .seconds(3600))
            }
            let running = Task { try await stuck.run() }
            try await Task.sleep(for: .milliseconds(100))
            running.cancel()
            try await running.value
            #expect(try await Self.pending(database) == 10)
            let attempts = try await database.read { db in try Int.fetchOne(db, sql: "SELECT SUM(attempts) FROM outbox") }
            #expect(attempts == 0)  // an interrupted call is not a failure
            try database.close()
        }
        let database = try Self.open(place)
        let recorder = Recorder()
        let relay = makeRelay(database, configuration: .fast(), deliver: recorder.deliver)
        #expect(try await relay.deliverDue() == 10)
        #expect(recorder.delivered == expected)
    }

    @Test(arguments: TestDatabases.backends) func lostAcknowledgementsAreAbsorbedByTheReceiver(backend: SQLBackend) async throws {
        // The receiver applies the event but the answer never reaches the sender (the relay
        // sees an error): the sender retries, the receiver's dedup makes it harmless.
        let place = TestDatabasePlace(backend)
        let sender = try Self.open(place)
        let receiver = try place.open(name: "receiver", migrations: Fixtures.migrations())
        struct AnswerLost: Error {}
        let lost = Recorder { _, attempt in attempt == 0 }
        let relay = makeRelay(sender, configuration: .fast()) { event, destination in
            _ = try await ProcessedEventsTests.receive(event, into: receiver)
            try await lost.deliver(event, destination)
        }
        for index in 0..<5 { try await Fixtures.submit("d\(index)", in: sender) }

        let running = Task { try await relay.run() }
        #expect(await eventually { (try? await Self.pending(sender)) == 0 })
        running.cancel()
        try await running.value

        #expect(lost.all.count == 10)
        let applied = try await receiver.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier") }
        #expect(applied == 5)
    }

    @Test(arguments: TestDatabases.backends) func deliveredRowsArePrunedAfterRetentionAndPendingOnesNever(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        for index in 0..<4 { try await Fixtures.submit("d\(index)", in: database) }
        try await database.write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ? WHERE aggregate_id IN ('d0', 'd1')",
                           arguments: [Int64(Date().timeIntervalSince1970 * 1000) - 8 * 24 * 3600 * 1000])
            try db.execute(sql: "UPDATE outbox SET delivered_at = ? WHERE aggregate_id = 'd2'",
                           arguments: [Int64(Date().timeIntervalSince1970 * 1000)])
        }
        let relay = makeRelay(database, deliver: Recorder().deliver)  // 7-day retention
        #expect(try await relay.pruneDelivered() == 2)
        let left = try await database.read { db in try String.fetchAll(db, sql: "SELECT aggregate_id FROM outbox ORDER BY seq") }
        #expect(left == ["d2", "d3"])
    }
}
