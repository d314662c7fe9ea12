import Foundation
import Logging
import SidecarCore

/// Reloads the configuration as a transaction: load, resolve and validate the file, build the new
/// provider set, and only then swap it in. Any failure changes nothing. Reloads run one at a time.
public actor ConfigReloader {
    /// The outcome of the most recent reload, shown by `GET /config`.
    public struct Status: Sendable {
        public var ok: Bool
        public var at: Date
        public var error: String?
        /// Changed settings that take effect only after a restart.
        public var restartRequired: [String]
    }

    public enum Outcome: Sendable {
        case applied(version: String, restartRequired: [String])
        case rejected(problems: [String])
    }

    private let loader: ConfigLoader
    private let path: String
    private let holder: ProviderSetHolder
    private let context: ProviderContext
    private let metrics: ServerMetrics
    private let logger: Logger
    /// The configuration the listeners and the store were started with.
    private let startup: SidecarConfig
    public private(set) var lastReload: Status?

    init(
        loader: ConfigLoader, path: String, holder: ProviderSetHolder, context: ProviderContext,
        metrics: ServerMetrics, logger: Logger, startup: SidecarConfig
    ) {
        self.loader = loader
        self.path = path
        self.holder = holder
        self.context = context
        self.metrics = metrics
        self.logger = logger
        self.startup = startup
    }

    /// Reloads from the configuration file.
    public func reload() async -> Outcome {
        let outcome: Outcome
        do {
            let loaded = try loader.load(path: path)
            let set = try await ProviderSet.build(loaded, registry: loader.registry, context: context)
            let restart = Self.restartRequired(from: startup, to: loaded.config)
            let previous = holder.set.version
            holder.swap(to: set)
            outcome = .applied(version: set.version, restartRequired: restart)
            lastReload = Status(ok: true, at: Date(), error: nil, restartRequired: restart)
            logger.info("configuration reloaded", metadata: [
                "sidecar.config_version": .string(set.version), "sidecar.previous_version": .string(previous),
                "sidecar.providers": .string(loaded.summary),
            ])
            if !restart.isEmpty {
                logger.warning("changed settings need a restart", metadata: ["sidecar.keys": .string(restart.joined(separator: ", "))])
            }
        } catch let error as ConfigError {
            outcome = .rejected(problems: error.problems.map(\.description))
        } catch {
            // Errors from building providers are SidecarErrors, whose messages hold no secret.
            outcome = .rejected(problems: [String(describing: SidecarError(wrapping: error, provider: nil))])
        }
        if case .rejected(let problems) = outcome {
            lastReload = Status(ok: false, at: Date(), error: problems.joined(separator: "; "), restartRequired: [])
            logger.error("configuration reload rejected; the running configuration is kept", metadata: [
                "sidecar.problems": .string(problems.joined(separator: "; "))
            ])
        }
        metrics.recordReload(ok: lastReload?.ok ?? false)
        return outcome
    }

    /// The keys whose change a reload cannot apply: listener addresses and the store location.
    static func restartRequired(from old: SidecarConfig, to new: SidecarConfig) -> [String] {
        var keys: [String] = []
        if old.listen.socket != new.listen.socket { keys.append("listen.socket") }
        if old.listen.socketMode != new.listen.socketMode { keys.append("listen.socket_mode") }
        if old.listen.tcp != new.listen.tcp { keys.append("listen.tcp") }
        if old.webhooksListen != new.webhooksListen { keys.append("webhooks_listen") }
        if old.metricsListen != new.metricsListen { keys.append("metrics_listen") }
        if old.store != new.store { keys.append("store") }
        return keys
    }
}
