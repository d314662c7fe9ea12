import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SidecarCore
import SidecarServer
import Synchronization

/// Lines a console provider wrote during a test.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var writer: LineWriter { LineWriter { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

/// An answer from the daemon, body parsed as JSON where it is JSON.
struct LiveResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var text: String
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    var errorCode: String? { json?["error"]?["code"]?.stringValue }
    var errorMessage: String? { json?["error"]?["message"]?.stringValue }
}

/// Calls the daemon over its Unix socket with AsyncHTTPClient's `http+unix` scheme.
struct SocketClient: Sendable {
    let socketPath: String

    func url(_ path: String) -> String {
        let encoded = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        return "http+unix://\(encoded)\(path)"
    }

    func call(
        _ method: HTTPMethod = .GET, _ path: String, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> LiveResponse {
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: collected))
    }

    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> LiveResponse {
        try await call(.POST, path, body: body, headers: headers)
    }
}

/// A temporary directory for one test's config, socket and store.
struct TestDirectory {
    let path: String

    init() throws {
        // Short: a Unix socket path must fit in 107 bytes.
        path = "/tmp/sc-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var socket: String { "\(path)/s.sock" }
    var configPath: String { "\(path)/sidecar.yaml" }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs the daemon in this process on a temporary socket for the length of `body`.
enum LiveDaemon {
    /// The default test configuration: console email; `extra` is appended.
    static func config(_ directory: TestDirectory, listen: String = "", extra: String = "") -> String {
        """
        listen:
          socket: \(directory.socket)
        \(listen)
        store:
          sqlite: \(directory.path)/sidecar.db
        email:
          provider: console
          from: "Acme <noreply@acme.test>"
        \(extra)
        """
    }

    static func run(
        config: ((TestDirectory) -> String)? = nil,
        _ body: @Sendable (SocketClient, CapturedLines, TestDirectory) async throws -> Void
    ) async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("sidecar.yaml", (config ?? { Self.config($0) })(directory))
        let captured = CapturedLines()
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "sidecar-test")
        logger.logLevel = .warning
        let daemon = try await SidecarDaemon.start(.init(
            configPath: directory.configPath, logger: logger, console: captured.writer, handleSignals: false,
            watchInterval: .milliseconds(100), onReady: { readyContinuation.yield() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            for await _ in ready { break }
            do {
                try await body(SocketClient(socketPath: directory.socket), captured, directory)
            } catch {
                // Let the daemon finish its shutdown (and close its store) before the group ends.
                await daemon.shutdown()
                try? await group.waitForAll()
                throw error
            }
            await daemon.shutdown()
            try await group.waitForAll()
        }
    }
}
