import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Accepted events per second on the webhook listener of the real binary, each committed to
/// SQLite before its 200, and the latency to a local app. Opt-in: `SIDECAR_BENCH=1` (with
/// `SIDECAR_BENCH_EVENTS`, default 4000, and `SIDECAR_BENCH_BINARY`); the figures go to standard error.
@Suite("Webhook benchmark", .enabled(if: ProcessInfo.processInfo.environment["SIDECAR_BENCH"] == "1", "set SIDECAR_BENCH=1"))
struct WebhookBenchmarkTests {
    @Test func acceptedEventsPerSecond() async throws {
        let count = Int(ProcessInfo.processInfo.environment["SIDECAR_BENCH_EVENTS"] ?? "") ?? 4000
        let concurrency = Int(ProcessInfo.processInfo.environment["SIDECAR_BENCH_CONCURRENCY"] ?? "") ?? 32
        let app = try WebhookApp()
        try await app.start()
        defer { app.stop() }
        let directory = try TestDirectory()
        defer { directory.remove() }
        let port = try PythonPeers.freePort()
        let secret = "whsec_bench_stripe_secret"
        // SIDECAR_BENCH_NO_DELIVERY=1 measures intake alone (deliveries go nowhere).
        let deliver = ProcessInfo.processInfo.environment["SIDECAR_BENCH_NO_DELIVERY"] == nil
        try directory.write("sidecar.yaml", WebhookDaemon.config(
            directory, webhookPort: port, deliverTo: deliver ? app.deliverTo : "http://127.0.0.1:9/none", signingSecret: app.secret,
            sources: "    stripe:\n      secret: \"\(secret)\"\n"))
        let bodies = (0..<count).map { SignedWebhooks.stripeEvent("evt_bench_\($0)", type: "invoice.paid") }
        let headers = try await SignedWebhooks.stripe(bodies, secret: secret)
        // SIDECAR_BENCH_BINARY points at another build (e.g. .build/release/sidecar).
        let daemon = try await WebhookCrashTests.startDaemon(
            directory, port: port, binary: ProcessInfo.processInfo.environment["SIDECAR_BENCH_BINARY"] ?? SidecarBinary.path)
        defer { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() }

        let start = ContinuousClock.now
        let sentAt = try await withThrowingTaskGroup(of: (String, Double).self) { group in
            var sentAt: [String: Double] = [:]
            for index in 0..<count {
                if index >= concurrency, let sent = try await group.next() { sentAt[sent.0] = sent.1 }
                group.addTask {
                    let answer = try await WebhookDaemon.post(port: port, "stripe", body: bodies[index], headers: headers[index])
                    #expect(answer.status == 200)
                    return ("evt_bench_\(index)", Date().timeIntervalSince1970)
                }
            }
            for try await (id, at) in group { sentAt[id] = at }
            return sentAt
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let record = try await app.waitFor(timeout: .seconds(deliver ? 300 : 0)) { $0.deliveries.count >= count }
        // Latency: the 200 to the vendor until the app had the event (an upper bound of the
        // worker's own latency, which starts a little before the 200).
        let response = try await deliveryTimes(app)
        let latencies = response.compactMap { id, at in sentAt[id].map { max(0, at - $0) } }.sorted()
        let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        FileHandle.standardError.write(Data("""
            webhook benchmark: \(count) events, \(concurrency) concurrent posts: \(Int(Double(count) / seconds)) accepted events/s \
            (durable SQLite commits); delivered \(record.deliveries.count); delivery latency p50 \(Int(p50 * 1000)) ms, \
            p99 \(Int(p99 * 1000)) ms\n
            """.utf8))
    }

    /// Event id → when the app received it.
    func deliveryTimes(_ app: WebhookApp) async throws -> [(String, Double)] {
        try await app.record().deliveries.compactMap { delivery in
            delivery.body["id"]?.stringValue.map { ($0, delivery.receivedAt) }
        }
    }
}
