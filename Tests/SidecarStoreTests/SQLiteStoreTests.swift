import Foundation
import Logging
import SidecarCore
import SidecarStore
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    static func temporaryPath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sidecar-store-\(UUID().uuidString)")
        return directory.appendingPathComponent("nested/store.db").path
    }

    static func withStore(path: String = temporaryPath(), _ body: (SQLiteStore) async throws -> Void) async throws {
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        do {
            try await body(store)
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    let response = StoredResponse(status: 200, contentType: "application/json", body: Array(#"{"id":"m1"}"#.utf8))

    @Test func migrationsApplyOnceAndSurviveReopening() async throws {
        let path = Self.temporaryPath()
        try await Self.withStore(path: path) { (store: SQLiteStore) async throws in
            #expect(try await store.schemaVersion() == 3)
            #expect(try await store.claim(scope: "/email/send", key: "k", fingerprint: "f", now: Date(), ttl: 60) == .claimed)
            try await store.complete(scope: "/email/send", key: "k", response: response)
        }
        try await Self.withStore(path: path) { (store: SQLiteStore) async throws in
            #expect(try await store.schemaVersion() == 3)
            #expect(try await store.claim(scope: "/email/send", key: "k", fingerprint: "f", now: Date(), ttl: 60) == .replay(response))
        }
        // WAL mode is on.
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func claimReplayConflictAndRelease() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let now = Date()
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "a", now: now, ttl: 60) == .claimed)
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "a", now: now, ttl: 60) == .inProgress)
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "b", now: now, ttl: 60) == .conflict)
            // The same key in another scope is another key.
            #expect(try await store.claim(scope: "other", key: "k", fingerprint: "b", now: now, ttl: 60) == .claimed)
            try await store.release(scope: "s", key: "k")
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "b", now: now, ttl: 60) == .claimed)
            try await store.complete(scope: "s", key: "k", response: response)
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "b", now: now, ttl: 60) == .replay(response))
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "a", now: now, ttl: 60) == .conflict)
            // Release never drops a completed answer.
            try await store.release(scope: "s", key: "k")
            #expect(try await store.claim(scope: "s", key: "k", fingerprint: "b", now: now, ttl: 60) == .replay(response))
        }
    }

    @Test func expiredEntriesAreTakenOverAndPurged() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let start = Date()
            #expect(try await store.claim(scope: "s", key: "old", fingerprint: "a", now: start, ttl: 10) == .claimed)
            try await store.complete(scope: "s", key: "old", response: response)
            #expect(try await store.claim(scope: "s", key: "gone", fingerprint: "a", now: start, ttl: 10) == .claimed)
            let later = start.addingTimeInterval(11)
            #expect(try await store.claim(scope: "s", key: "old", fingerprint: "other", now: later, ttl: 10) == .claimed)
            #expect(try await store.purgeExpired(now: later) == 1)
        }
    }

    @Test func concurrentClaimsOfOneKeyHaveOneWinner() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let outcomes = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await store.claim(scope: "s", key: "race", fingerprint: "f", now: Date(), ttl: 60) }
                }
                return try await group.reduce(into: [IdempotencyClaim]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .claimed }.count == 1)
            #expect(outcomes.filter { $0 == .inProgress }.count == 49)
        }
    }

    @Test func unopenablePathIsAClearError() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await SQLiteStore.open(path: "/proc/sidecar-cannot-write/store.db", logger: Logger(label: "test"))
        }
    }
}
