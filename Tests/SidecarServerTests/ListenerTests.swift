import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SidecarCore
import SidecarServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A free TCP port on 127.0.0.1 (bound, read, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Binds a Unix socket at `path`; listens when `listening`, and returns the descriptor.
func bindUnixSocket(_ path: String, listening: Bool) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
    }
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    if listening { listen(fd, 1) }
    return fd
}

func fileMode(_ path: String) -> UInt16 {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return UInt16(info.st_mode & 0o777)
}

@Suite("Listeners")
struct ListenerTests {
    @Test func socketIsCreatedWithDefaultMode() async throws {
        try await LiveDaemon.run { _, _, directory in
            #expect(fileMode(directory.socket) == 0o660)
        }
    }

    @Test func socketIsCreatedWithConfiguredModeAndRemovedOnExit() async throws {
        let socketPath = Mutex<String>("")
        try await LiveDaemon.run(config: { LiveDaemon.config($0, listen: "  socket_mode: \"0600\"") }) { _, _, directory in
            #expect(fileMode(directory.socket) == 0o600)
            socketPath.withLock { $0 = directory.socket }
        }
        #expect(!FileManager.default.fileExists(atPath: socketPath.withLock { $0 }))
    }

    @Test func staleSocketFromACrashedRunIsReplaced() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        // A socket file whose process is gone: bound, never listening, closed without unlink.
        close(bindUnixSocket(directory.socket, listening: false))
        #expect(FileManager.default.fileExists(atPath: directory.socket))
        try directory.write("sidecar.yaml", LiveDaemon.config(directory))
        try await runDaemon(directory) { (client: SocketClient) async throws in
            #expect(try await client.call(.GET, "/healthz").status == 200)
        }
    }

    @Test func aSocketThatIsStillServedIsNotTaken() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let fd = bindUnixSocket(directory.socket, listening: true)
        defer { close(fd) }
        try directory.write("sidecar.yaml", LiveDaemon.config(directory))
        do {
            try await runDaemon(directory) { _ in Issue.record("the daemon started on a socket in use") }
        } catch {
            #expect("\(error)".contains("another process is already serving on \(directory.socket)"))
        }
    }

    @Test func tcpListenerDemandsTheBearerToken() async throws {
        let port = try freePort()
        try await LiveDaemon.run(config: {
            LiveDaemon.config($0, listen: "  tcp: 127.0.0.1:\(port)\n  token: s3cret-tcp-token")
        }) { _, captured, _ in
            func call(_ authorization: String?) async throws -> LiveResponse {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/email/send")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: #"{"to": "a@example.com", "subject": "s", "text": "t"}"#))
                if let authorization { request.headers.add(name: "Authorization", value: authorization) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
            }
            let missing = try await call(nil)
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized")
            #expect(try await call("Bearer wrong-token").status == 401)
            #expect(try await call("Bearer s3cret-tcp-toke").status == 401)
            #expect(try await call("Basic czNjcmV0LXRjcC10b2tlbg==").status == 401)
            #expect(!missing.text.contains("s3cret"))
            #expect(captured.all.isEmpty)
            let ok = try await call("Bearer s3cret-tcp-token")
            #expect(ok.status == 200)
            #expect(captured.all.count == 1)
        }
    }

    @Test func webhookListenerNeverServesTheApplicationAPI() async throws {
        let port = try freePort()
        try await LiveDaemon.run(config: { "webhooks_listen: 127.0.0.1:\(port)\n" + LiveDaemon.config($0) }) { _, captured, _ in
            func call(_ method: HTTPMethod, _ path: String) async throws -> LiveResponse {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.method = method
                if method == .POST { request.body = .bytes(ByteBuffer(string: #"{"to": "a@example.com", "subject": "s", "text": "t"}"#)) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
            }
            #expect(try await call(.GET, "/healthz").status == 200)
            for path in ["/email/send", "/config", "/metrics", "/readyz"] {
                let response = try await call(path == "/email/send" ? .POST : .GET, path)
                #expect(response.status == 404, "\(path) must not be served on the webhook listener")
                #expect(response.errorCode == "not_found")
            }
            // Its own routes with a wrong method are 405, parameters included.
            for path in ["/webhooks/stripe", "/sandbox/payments/checkout/cs_x/pay", "/storage/signed"] {
                let response = try await call(.DELETE, path)
                #expect(response.status == 405, "\(path): \(response.text)")
                #expect(response.errorCode == "method_not_allowed")
            }
            #expect(try await call(.GET, "/webhooks/stripe/extra").status == 404)
            #expect(captured.all.isEmpty)
        }
    }

    @Test func metricsListenerServesPrometheusText() async throws {
        let port = try freePort()
        try await LiveDaemon.run(config: { "metrics_listen: 127.0.0.1:\(port)\n" + LiveDaemon.config($0) }) { client, _, _ in
            _ = try await client.call(.GET, "/healthz")
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status == .ok)
            #expect(text.contains(#"sidecar_requests_total{route="/healthz",method="GET",status="200"} 1"#))
        }
    }

    /// Starts the daemon on an already written directory (for tests that prepare the socket path).
    func runDaemon(_ directory: TestDirectory, _ body: @Sendable (SocketClient) async throws -> Void) async throws {
        let (ready, continuation) = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "sidecar-test")
        logger.logLevel = .critical
        let daemon = try await SidecarDaemon.start(.init(
            configPath: directory.configPath, logger: logger, console: CapturedLines().writer, handleSignals: false,
            onReady: { continuation.yield() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            for await _ in ready { break }
            try await body(SocketClient(socketPath: directory.socket))
            await daemon.shutdown()
            try await group.waitForAll()
        }
    }
}

import Synchronization

@Suite("Peer credentials")
struct PeerCredentialTests {
    @Test func callersOutsideAllowedUIDsAreRefused() async throws {
        try await LiveDaemon.run(config: { LiveDaemon.config($0, listen: "  allowed_uids: [4242424]") }) { client, captured, _ in
            let refused = try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#)
            #expect(refused.status == 401)
            #expect(refused.errorCode == "unauthorized")
            #expect(refused.errorMessage == "uid \(getuid()) is not allowed on this socket (listen.allowed_uids)")
            #expect(captured.all.isEmpty)
        }
    }

    @Test func callersInAllowedUIDsAreServed() async throws {
        try await LiveDaemon.run(config: { LiveDaemon.config($0, listen: "  allowed_uids: [4242424, \(getuid())]") }) { client, captured, _ in
            let served = try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#)
            #expect(served.status == 200)
            #expect(captured.all.count == 1)
        }
    }
}
