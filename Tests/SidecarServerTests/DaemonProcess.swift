import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `sidecar` binary running as a child process, its output kept in files.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let directory: TestDirectory
    let stdoutPath: String
    let stderrPath: String

    let socketPath: String

    /// Starts `sidecar serve` on `directory`'s config (or `configPath`) and waits for the socket
    /// (`socketPath`, else the directory's); `workingDirectory` is where relative paths start.
    init(
        directory: TestDirectory, configPath: String? = nil, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String? = nil, socketPath: String? = nil
    ) async throws {
        self.directory = directory
        self.socketPath = socketPath ?? directory.socket
        stdoutPath = "\(directory.path)/stdout.log"
        stderrPath = "\(directory.path)/stderr.log"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: SidecarBinary.path)
        process.arguments = ["serve", "--config", configPath ?? directory.configPath] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        try process.run()
        let client = SocketClient(socketPath: self.socketPath)
        for _ in 0..<200 {
            if (try? await client.call(.GET, "/healthz").status) == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the daemon did not come up: \(stderr)")
    }

    var client: SocketClient { SocketClient(socketPath: socketPath) }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// SIGTERM, then waits for the exit; answers the exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { signal(SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A Kubernetes-style mounted directory: `NAME -> ..data/NAME`, `..data -> ..<version>`; `publish`
/// swaps `..data` atomically by renaming a new symlink over it, as the kubelet does.
struct MountedDirectory {
    let path: String
    private var generation = 0

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Publishes a new version of the files; the first call also makes the `NAME` links.
    mutating func publish(_ files: [String: String]) throws {
        generation += 1
        let version = "..v\(generation)"
        try FileManager.default.createDirectory(atPath: "\(path)/\(version)", withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(toFile: "\(path)/\(version)/\(name)", atomically: false, encoding: .utf8)
        }
        let temporary = "\(path)/..data_tmp"
        unlink(temporary)
        guard symlink(version, temporary) == 0, rename(temporary, "\(path)/..data") == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
        for name in files.keys where !FileManager.default.fileExists(atPath: "\(path)/\(name)") {
            _ = symlink("..data/\(name)", "\(path)/\(name)")
        }
    }
}
