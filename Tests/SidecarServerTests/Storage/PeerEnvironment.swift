import Foundation

/// The peers `scripts/test.sh` starts, passed in `SIDECAR_TEST_*` variables. A test that needs
/// one is skipped when its variable is absent and `SIDECAR_REQUIRE_PEERS` is unset (a plain
/// `swift test`), and fails when `SIDECAR_REQUIRE_PEERS` is set, so CI never skips it silently.
enum PeerEnvironment {
    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is not set (scripts/test.sh sets it; SIDECAR_REQUIRE_PEERS=1 forbids skipping)" }
    }

    static var variables: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether a test needing `names` runs: they are all set, or peers are required.
    static func enabled(_ names: String...) -> Bool {
        variables["SIDECAR_REQUIRE_PEERS"] != nil || names.allSatisfy { variables[$0] != nil }
    }

    /// The value of `name`, or an error failing the test.
    static func value(_ name: String) throws -> String {
        guard let value = variables[name], !value.isEmpty else { throw Missing(name: name) }
        return value
    }

    /// Runs a helper script of scripts/peers with the test virtualenv's Python; returns its output.
    static func runPython(_ script: String, _ arguments: [String], input: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try value("SIDECAR_TEST_PYTHON"))
        process.arguments = ["\(try value("SIDECAR_TEST_PEER_SCRIPTS"))/\(script)"] + arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Missing(name: "\(script) failed: \(String(decoding: problem, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
