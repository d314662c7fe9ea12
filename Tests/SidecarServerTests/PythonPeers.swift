import AsyncHTTPClient
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The Python of the test virtualenv (`SIDECAR_TEST_PYTHON`, exported by scripts/test.sh), which
/// runs the vendors' own libraries and the app-side receiver under scripts/peers/.
///
/// Tests that need it are enabled when it is set, or when `SIDECAR_REQUIRE_PEERS=1` (CI), where
/// its absence then fails the test instead of skipping it.
enum PythonPeers {
    static let environment = ProcessInfo.processInfo.environment
    static var enabled: Bool { environment["SIDECAR_TEST_PYTHON"] != nil || environment["SIDECAR_REQUIRE_PEERS"] == "1" }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "SIDECAR_TEST_PYTHON is not set (run scripts/test.sh)" }
    }

    static func python() throws -> String {
        guard let python = environment["SIDECAR_TEST_PYTHON"], !python.isEmpty else { throw Missing() }
        return python
    }

    static var scripts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/peers").path
    }

    /// Signs each case with the vendor's library (scripts/peers/sign_webhooks.py).
    static func sign(_ cases: [[String: Any]]) async throws -> [[String: Any]] {
        let input = try JSONSerialization.data(withJSONObject: cases)
        let (status, output, problems) = try await run(["\(scripts)/sign_webhooks.py"], input: input)
        guard status == 0, let signed = try JSONSerialization.jsonObject(with: output) as? [[String: Any]] else {
            throw SigningFailed(output: String(decoding: problems, as: UTF8.self))
        }
        return signed
    }

    /// Runs the venv's Python with `arguments`, without blocking a thread of the concurrency pool:
    /// input and output go through temporary files, and the exit is awaited.
    static func run(_ arguments: [String], input: Data) async throws -> (status: Int32, output: Data, errors: Data) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sidecar-py-\(UUID().uuidString)").path
        defer { for suffix in ["in", "out", "err"] { try? FileManager.default.removeItem(atPath: "\(base).\(suffix)") } }
        try input.write(to: URL(fileURLWithPath: "\(base).in"))
        _ = FileManager.default.createFile(atPath: "\(base).out", contents: nil)
        _ = FileManager.default.createFile(atPath: "\(base).err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: "\(base).in"))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(base).out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(base).err"))
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, try Data(contentsOf: URL(fileURLWithPath: "\(base).out")), try Data(contentsOf: URL(fileURLWithPath: "\(base).err")))
    }

    struct SigningFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "sign_webhooks.py failed: \(output)" }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Missing() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct NotUp: Error, CustomStringConvertible {
        var what: String
        var description: String { "\(what) did not come up" }
    }

    /// Polls `url` with short deadlines until it answers (any status), up to `timeout`.
    static func waitForHTTP(_ url: String, timeout: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .milliseconds(300)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return true
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}
