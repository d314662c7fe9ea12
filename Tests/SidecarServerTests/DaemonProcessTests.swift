import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `sidecar` binary, run as a user runs it.
enum SidecarBinary {
    static var path: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sidecar").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/sidecar").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    /// Runs a command to completion and answers its exit code and output.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

@Suite("The sidecar process")
struct DaemonProcessTests {
    @Test func checkConfigPrintsTheSummary() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("sidecar.yaml", LiveDaemon.config(directory))
        let result = try SidecarBinary.run(["check-config", directory.configPath])
        #expect(result.status == 0)
        #expect(result.stdout.contains("ok — config "))
        #expect(result.stdout.contains("email=console storage=- payments=- auth=- monitoring=-"))
    }

    @Test func checkConfigListsEveryProblemWithoutSecrets() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("token", "file-canary-c0ffee\n")
        try directory.write("sidecar.yaml", """
            listen:
              tcp: 127.0.0.1:7070
              token: ${file:\(directory.path)/token}
              max_body_bytes: ${env:CANARY_LIMIT}
              sokcet: /tmp/x.sock
            email:
              provider: smtpp
              from: ${env:CANARY_FROM}
            """)
        let result = try SidecarBinary.run(
            ["check-config", directory.configPath], environment: ["CANARY_FROM": "env-canary-beef", "CANARY_LIMIT": "12"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("listen.max_body_bytes: expected an integer, got `${env:CANARY_LIMIT}` (line 4)"))
        #expect(result.stderr.contains("listen.sokcet: unknown key (did you mean `socket`?) (line 5)"))
        #expect(result.stderr.contains("email.provider: unknown provider `smtpp` (valid: console, resend, sendgrid, smtp) (line 7)"))
        #expect(result.stderr.contains("email.from: the value from its reference is not a valid sender"))
        for canary in ["file-canary-c0ffee", "env-canary-beef"] {
            #expect(!result.stdout.contains(canary) && !result.stderr.contains(canary))
        }
    }

    @Test func badConfigExitsOneWithTheFullListAndStartsNothing() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("sidecar.yaml", "listen:\n  socket: \(directory.socket)\n  socket_mode: nine\nemail:\n  provider: nope\n")
        let result = try SidecarBinary.run(["serve", "--config", directory.configPath])
        #expect(result.status == 1)
        #expect(result.stderr.contains("listen.socket_mode: expected an octal file mode"))
        #expect(result.stderr.contains("email.provider: unknown provider `nope`"))
        #expect(!FileManager.default.fileExists(atPath: directory.socket))
    }

    @Test func versionAndHelp() throws {
        #expect(try SidecarBinary.run(["version"]).stdout.hasPrefix("sidecar "))
        let help = try SidecarBinary.run(["--help"])
        #expect(help.status == 0)
        for word in ["serve", "check-config", "version"] { #expect(help.stdout.contains(word)) }
    }

    /// SIGTERM while a request is still arriving: the request completes, then the process exits 0
    /// and removes its socket.
    @Test func sigtermDrainsInFlightRequests() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("sidecar.yaml", LiveDaemon.config(directory))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SidecarBinary.path)
        process.arguments = ["serve", "--config", directory.configPath, "--log-level", "warning"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let client = SocketClient(socketPath: directory.socket)
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await client.call(.GET, "/healthz").status) == 200
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(up, "the daemon did not come up")

        // A request whose body is sent in two halves, SIGTERM arriving between them.
        let body = #"{"to": "drain@example.com", "subject": "drain", "text": "in flight"}"#
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        var request = HTTPClientRequest(url: client.url("/email/send"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .stream(stream, length: .known(Int64(body.utf8.count)))
        async let response = HTTPClient.shared.execute(request, timeout: .seconds(30))
        continuation.yield(ByteBuffer(string: String(body.prefix(20))))
        try await Task.sleep(for: .milliseconds(300))
        kill(process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        #expect(process.isRunning, "the daemon must wait for the request in flight")
        continuation.yield(ByteBuffer(string: String(body.dropFirst(20))))
        continuation.finish()
        let answer = try await response
        let text = String(buffer: try await answer.body.collect(upTo: 1 << 20))
        #expect(answer.status == .ok, "\(text)")
        #expect(text.contains(#""status":"sent""#))

        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.socket))
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("drain@example.com"))
    }

    /// Run as an unprivileged user, a dumpable process owns its `/proc/PID` files; once it has
    /// made itself non-dumpable the kernel gives them to root, so its peers cannot read its memory.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root to start the daemon as another user"))
    func processIsNotDumpable() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try directory.write("sidecar.yaml", LiveDaemon.config(directory))
        chmod(directory.path, 0o777)
        chmod(directory.configPath, 0o644)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", SidecarBinary.path, "serve", "--config", directory.configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var up = false
        for _ in 0..<100 where !up {
            up = FileManager.default.fileExists(atPath: directory.socket)
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(up, "the daemon did not come up as uid 65534")
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65534"), "the daemon runs as the unprivileged user")
        var info = stat()
        #expect(stat("/proc/\(process.processIdentifier)/mem", &info) == 0)
        #expect(info.st_uid == 0, "a non-dumpable process's /proc files belong to root")
    }
}
