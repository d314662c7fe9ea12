import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SidecarCore
import SidecarServer
import SidecarWebhooks

/// A daemon in this process with the webhook listener on a free port and deliveries going to a
/// ``WebhookApp``, with short retry delays so that the suite stays fast.
struct WebhookDaemon: Sendable {
    let socket: SocketClient
    let webhookPort: Int
    let directory: TestDirectory

    static let fastPolicy = WebhookDeliveryPolicy(
        initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(400), jitter: 0.5, attemptTimeout: .milliseconds(700),
        idlePoll: .milliseconds(100), batchSize: 64, concurrency: 8)

    /// The `webhooks:` block for these sources (`name: "  key: value\n…"`).
    static func config(_ directory: TestDirectory, webhookPort: Int, deliverTo: String, signingSecret: String, maxAttempts: Int = 8, sources: String) -> String {
        """
        listen:
          socket: \(directory.socket)
        webhooks_listen: 127.0.0.1:\(webhookPort)
        store:
          sqlite: \(directory.path)/sidecar.db
        webhooks:
          deliver_to: \(deliverTo)
          signing_secret: "\(signingSecret)"
          max_attempts: \(maxAttempts)
          sources:
        \(sources)
        """
    }

    static func run(
        policy: WebhookDeliveryPolicy = fastPolicy, config: (TestDirectory, Int) -> String,
        _ body: @Sendable (WebhookDaemon) async throws -> Void
    ) async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let port = try PythonPeers.freePort()
        try directory.write("sidecar.yaml", config(directory, port))
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "sidecar-test")
        logger.logLevel = .error
        let daemon = try await SidecarDaemon.start(.init(
            configPath: directory.configPath, logger: logger, console: CapturedLines().writer, handleSignals: false,
            onReady: { readyContinuation.yield() }, webhookDeliveryPolicy: policy))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            for await _ in ready { break }
            guard await PythonPeers.waitForHTTP("http://127.0.0.1:\(port)/healthz") else { throw PythonPeers.NotUp(what: "the webhook listener") }
            do {
                try await body(WebhookDaemon(socket: SocketClient(socketPath: directory.socket), webhookPort: port, directory: directory))
            } catch {
                await daemon.shutdown()
                throw error
            }
            await daemon.shutdown()
            try await group.waitForAll()
        }
    }

    /// Posts a vendor webhook to the public listener.
    func post(_ source: String, body: String, headers: [String: String]) async throws -> LiveResponse {
        try await Self.post(port: webhookPort, source, body: body, headers: headers)
    }

    static func post(port: Int, _ source: String, body: String, headers: [String: String]) async throws -> LiveResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/\(source)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: collected))
    }

    /// `GET /webhooks/events` on the application socket.
    func events(status: String? = nil) async throws -> [JSONValue] {
        let response = try await socket.call(.GET, "/webhooks/events" + (status.map { "?status=\($0)&limit=1000" } ?? "?limit=1000"))
        guard case .array(let events)? = response.json?["events"] else { return [] }
        return events
    }

    /// Waits until `condition` holds for the stored events of `status`.
    func waitForEvents(status: String, timeout: Duration = .seconds(20), _ condition: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + timeout
        var events = try await self.events(status: status)
        while !condition(events), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            events = try await self.events(status: status)
        }
        return events
    }
}

/// A Stripe event body and its `Stripe-Signature`, made by the `stripe` Python library.
enum SignedWebhooks {
    static func stripeEvent(_ id: String, type: String = "checkout.session.completed") -> String {
        #"{"id":"\#(id)","object":"event","type":"\#(type)","created":1700000000,"data":{"object":{"id":"cs_test_1","amount_total":4200}}}"#
    }

    /// Signs `bodies` for Stripe with `secret` at `timestamp` (now by default).
    static func stripe(_ bodies: [String], secret: String, timestamp: Int = Int(Date().timeIntervalSince1970)) async throws -> [[String: String]] {
        try await PythonPeers.sign(bodies.map { body -> [String: Any] in ["scheme": "stripe", "secret": secret, "body": body, "timestamp": timestamp] })
            .map { $0["headers"] as? [String: String] ?? [:] }
    }
}
