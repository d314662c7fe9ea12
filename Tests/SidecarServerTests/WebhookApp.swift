import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore
#if canImport(Glibc)
import Glibc
#endif

/// The application side of webhook deliveries: scripts/peers/webhook_app.py, which verifies
/// every delivery with the `standardwebhooks` library and records it. One process per test.
final class WebhookApp: @unchecked Sendable {
    let port: Int
    let secret: String
    /// When set, the receiver serves on this Unix socket instead of a TCP port.
    let socketPath: String?
    private var process: Process?

    /// The base the test reaches the receiver at.
    var base: String {
        guard let socketPath else { return "http://127.0.0.1:\(port)" }
        return "http+unix://\(socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath)"
    }

    /// `webhooks.deliver_to` for this receiver.
    var deliverTo: String { socketPath.map { "unix://\($0):/webhooks" } ?? "http://127.0.0.1:\(port)/webhooks" }

    /// A fresh Standard Webhooks secret.
    static func newSecret() -> String {
        "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    init(port: Int? = nil, socketPath: String? = nil, secret: String = WebhookApp.newSecret()) throws {
        self.port = try port ?? PythonPeers.freePort()
        self.socketPath = socketPath
        self.secret = secret
    }

    /// Starts the receiver (`arguments` as webhook_app.py takes them) and waits until it listens.
    func start(_ arguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PythonPeers.python())
        let listen = socketPath.map { ["--unix", $0] } ?? ["--port", String(port)]
        process.arguments = ["\(PythonPeers.scripts)/webhook_app.py", "--secret", secret] + listen + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        guard await PythonPeers.waitForHTTP("\(base)/_deliveries") else { throw PythonPeers.NotUp(what: "webhook_app.py") }
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

    struct Delivery: Sendable {
        var webhookID: String
        var body: JSONValue
        /// When the receiver had it (Unix seconds).
        var receivedAt: Double
    }

    struct Record: Sendable {
        var deliveries: [Delivery]
        /// When each delivery attempt arrived (Unix seconds), failed ones included.
        var attemptTimes: [Double]
        var rejected: Int
        var attempts: Int { attemptTimes.count }
    }

    /// What the receiver has seen so far.
    func record() async throws -> Record {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(base)/_deliveries"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        guard case .array(let deliveries)? = json["deliveries"], case .array(let attempts)? = json["attempts"],
              case .number(let rejected)? = json["rejected"] else { return Record(deliveries: [], attemptTimes: [], rejected: 0) }
        return Record(
            deliveries: deliveries.map { delivery in
                var at = 0.0
                if case .number(let number)? = delivery["at"] { at = number }
                return Delivery(webhookID: delivery["webhook_id"]?.stringValue ?? "", body: delivery["body"] ?? .null, receivedAt: at)
            },
            attemptTimes: attempts.compactMap { if case .number(let at)? = $0["at"] { at } else { nil } }, rejected: Int(rejected))
    }

    /// Changes the failure mode (`fail`, `status`, `delay_ms`, `retry_after`).
    func setMode(_ mode: [String: Int]) async throws {
        var request = HTTPClientRequest(url: "\(base)/_mode")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: mode)))
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    }

    /// Waits until `condition` holds for the record, up to `timeout`.
    func waitFor(timeout: Duration = .seconds(20), _ condition: (Record) -> Bool) async throws -> Record {
        let deadline = ContinuousClock.now + timeout
        var record = try await self.record()
        while !condition(record), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            record = try await self.record()
        }
        return record
    }
}
