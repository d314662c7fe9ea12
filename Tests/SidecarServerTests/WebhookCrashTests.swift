import Foundation
import Logging
import SidecarCore
import SidecarStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the real daemon right after it answered 200 to a batch of webhooks: restarted on
/// the same store, it delivers every accepted event. An event the store had marked delivered is
/// never sent again; only deliveries in flight at the kill may repeat (at least once), under the
/// same `webhook-id`, so the application can drop them.
@Suite("Webhook crash safety", .enabled(if: PythonPeers.enabled, "needs SIDECAR_TEST_PYTHON (scripts/test.sh)"))
struct WebhookCrashTests {
    static let secret = "whsec_crash_test_stripe_secret"

    /// Starts `sidecar serve` and waits for the webhook listener.
    static func startDaemon(_ directory: TestDirectory, port: Int, binary: String = SidecarBinary.path) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", directory.configPath, "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard await PythonPeers.waitForHTTP("http://127.0.0.1:\(port)/healthz") else {
            kill(process.processIdentifier, SIGKILL)
            throw PythonPeers.NotUp(what: "sidecar serve")
        }
        return process
    }

    @Test func killNineAfterTwoHundredAcceptedLosesNothing() async throws {
        let app = try WebhookApp()
        try await app.start()
        defer { app.stop() }
        let directory = try TestDirectory()
        defer { directory.remove() }
        let port = try PythonPeers.freePort()
        try directory.write("sidecar.yaml", WebhookDaemon.config(
            directory, webhookPort: port, deliverTo: app.deliverTo, signingSecret: app.secret,
            sources: "    stripe:\n      secret: \"\(Self.secret)\"\n"))

        let bodies = (0..<200).map { SignedWebhooks.stripeEvent("evt_crash_\($0)", type: "invoice.paid") }
        let headers = try await SignedWebhooks.stripe(bodies, secret: Self.secret)
        var daemon = try await Self.startDaemon(directory, port: port)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // 20 posts in flight at a time.
        let accepted = try await withThrowingTaskGroup(of: String?.self) { group in
            var accepted = Set<String>()
            for index in 0..<200 {
                if index >= 20, let answer = try await group.next(), let id = answer { accepted.insert(id) }
                group.addTask {
                    let answer = try await WebhookDaemon.post(port: port, "stripe", body: bodies[index], headers: headers[index])
                    return answer.json?["status"]?.stringValue == "accepted" ? "evt_crash_\(index)" : nil
                }
            }
            for try await answer in group { if let id = answer { accepted.insert(id) } }
            return accepted
        }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        #expect(accepted.count == 200)
        let beforeRestart = try await app.record()

        // What the store says was delivered at the moment of the kill.
        let store = try await SQLiteStore.open(path: "\(directory.path)/sidecar.db", logger: Logger(label: "test"))
        let storedDelivered = Set(try await store.webhookEvents(status: .delivered, limit: 1000).map(\.draft.eventID))
        let stored = try await store.webhookEvents(status: nil, limit: 1000)
        try await store.close()
        #expect(Set(stored.map(\.draft.eventID)) == accepted, "every accepted event was committed before its 200")

        daemon = try await Self.startDaemon(directory, port: port)
        let record = try await app.waitFor(timeout: .seconds(60)) { record in
            Set(record.deliveries.compactMap { $0.body["id"]?.stringValue }).count >= 200
        }
        try await Task.sleep(for: .milliseconds(500))
        let final = try await app.record()
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()

        let deliveredIDs = final.deliveries.compactMap { $0.body["id"]?.stringValue }
        #expect(Set(deliveredIDs) == accepted, "every accepted event reached the app")
        #expect(record.rejected == 0)
        var counts: [String: Int] = [:]
        for id in deliveredIDs { counts[id, default: 0] += 1 }
        let repeated = counts.filter { $0.value > 1 }
        for (id, _) in repeated {
            #expect(!storedDelivered.contains(id), "\(id) was marked delivered, yet sent again")
            let ids = Set(final.deliveries.filter { $0.body["id"]?.stringValue == id }.map(\.webhookID))
            #expect(ids.count == 1, "a redelivery keeps its webhook-id")
        }
        #expect(repeated.values.allSatisfy { $0 == 2 })
        #expect(repeated.count <= 16, "only deliveries in flight at the kill repeat (at most the worker's concurrency)")
        FileHandle.standardError.write(Data("crash test: \(beforeRestart.deliveries.count) delivered before the kill, \(storedDelivered.count) marked delivered, \(repeated.count) redelivered after restart\n".utf8))
    }
}
