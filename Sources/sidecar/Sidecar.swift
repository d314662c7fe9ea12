import ArgumentParser
import Foundation
import Logging
import SidecarCore
import SidecarServer

/// The `sidecar` command: parses arguments and hands over to the server library.
struct Sidecar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar",
        abstract: "Owns your application's vendor secrets and serves one JSON API on a Unix socket.",
        discussion: """
            Your application calls POST /email/send, /storage/upload, /payments/checkout …
            on the daemon's socket; the daemon calls whichever vendor sidecar.yaml selects.
            """,
        version: SidecarVersion.current,
        subcommands: [Serve.self, CheckConfig.self, Version.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM or SIGINT (SIGHUP reloads the configuration).")

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config = "./sidecar.yaml"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Seconds between checks of the config file and its secret files for changes (0 turns the watcher off).")
    var watchInterval: Double = 1

    func run() async throws {
        SidecarDaemon.hardenProcess()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sidecar")
        let daemon: SidecarDaemon
        do {
            daemon = try await SidecarDaemon.start(.init(
                configPath: config, logger: logger,
                watchInterval: watchInterval > 0 ? .milliseconds(Int64(watchInterval * 1000)) : nil))
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("sidecar: configuration \(config) is not valid:\n\(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("sidecar: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        do {
            try await daemon.run()
        } catch {
            FileHandle.standardError.write(Data("sidecar: stopped on an error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file: print every problem (exit 1) or the selected providers (exit 0).")

    @Argument(help: "The configuration file.")
    var file = "./sidecar.yaml"

    func run() throws {
        do {
            let loaded = try ConfigLoader(registry: .standard).load(path: file)
            print("\(file): ok — \(loaded.summary)")
        } catch {
            FileHandle.standardError.write(Data("\(file): \(error.problems.count) problem(s)\n\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("sidecar \(SidecarVersion.current)")
    }
}
