import AsyncHTTPClient
import CSidecarSystem
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals
import SidecarCore
import SidecarStore
import SidecarWebhooks
#if canImport(Glibc)
import Glibc
#endif

/// The daemon: loads the configuration, opens the store, builds the providers, and runs every
/// listener and background service in one `ServiceGroup` until SIGTERM/SIGINT, then drains.
public final class SidecarDaemon: Sendable {
    /// How to start the daemon.
    public struct Options: Sendable {
        public var configPath: String
        public var registry: ProviderRegistry
        public var logger: Logger
        /// Where console providers write (standard output by default).
        public var console: LineWriter
        /// Whether SIGTERM/SIGINT drain and SIGHUP reloads (off for in-process tests).
        public var handleSignals: Bool
        /// Called once the application socket accepts connections.
        public var onReady: @Sendable () async -> Void
        /// How often the config file and its secret files are checked for changes; `nil` turns
        /// the watcher off.
        public var watchInterval: Duration?
        /// How webhook deliveries to the application are paced (short delays in tests).
        public var webhookDeliveryPolicy: WebhookDeliveryPolicy

        public init(
            configPath: String, registry: ProviderRegistry = .standard, logger: Logger,
            console: LineWriter = .standardOutput, handleSignals: Bool = true, watchInterval: Duration? = .seconds(1),
            onReady: @escaping @Sendable () async -> Void = {},
            webhookDeliveryPolicy: WebhookDeliveryPolicy = .standard
        ) {
            self.watchInterval = watchInterval
            self.configPath = configPath
            self.registry = registry
            self.logger = logger
            self.console = console
            self.handleSignals = handleSignals
            self.onReady = onReady
            self.webhookDeliveryPolicy = webhookDeliveryPolicy
        }
    }

    public let loaded: LoadedConfig
    public let holder: ProviderSetHolder
    private let serviceGroup: ServiceGroup
    private let store: any SidecarStore
    private let httpClient: HTTPClient
    private let logger: Logger

    /// Loads and builds everything without starting a listener. A bad configuration throws
    /// ``ConfigError`` with every problem; nothing is left running.
    public static func start(_ options: Options) async throws -> SidecarDaemon {
        let loader = ConfigLoader(registry: options.registry)
        let loaded = try loader.load(path: options.configPath)
        let logger = options.logger
        logger.info("configuration loaded", metadata: ["sidecar.providers": .string(loaded.summary)])

        let store: any SidecarStore
        switch loaded.config.store {
        case .sqlite(let path): store = try await SQLiteStore.open(path: path, logger: logger)
        case .postgres: throw ConfigError(problems: [ConfigProblem(path: "store.postgres", message: "not available in this build")])
        }
        // No tracer: the daemon exports no spans, and AsyncHTTPClient skips its per-request span
        // work only when the tracer is nil (about 2 % of the daemon's CPU on the vendor path).
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tracing.tracer = nil
        let httpClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        do {
            let metrics = ServerMetrics()
            let webhooks = WebhookIntake(store: store, metrics: metrics, doorbell: WebhookDoorbell(), logger: logger)
            let context = ProviderContext(
                transport: HTTPTransport(client: httpClient), logger: logger, store: store, console: options.console,
                webhookSink: webhooks)
            let set = try await ProviderSet.build(loaded, registry: options.registry, context: context)
            try UnixSocketFile.prepare(path: loaded.config.listen.socket)
            // SIGHUP is trapped now, before the socket is ready, so an early SIGHUP reloads
            // instead of ending the process.
            let reloadSignals = options.handleSignals ? await UnixSignalsSequence(trapping: .sighup) : nil
            return SidecarDaemon(
                loaded: loaded, loader: loader, options: options, set: set, context: context, store: store, httpClient: httpClient,
                metrics: metrics, webhooks: webhooks, reloadSignals: reloadSignals)
        } catch {
            try? await httpClient.shutdown()
            try? await store.close()
            throw error
        }
    }

    private init(
        loaded: LoadedConfig, loader: ConfigLoader, options: Options, set: ProviderSet, context: ProviderContext,
        store: any SidecarStore, httpClient: HTTPClient, metrics: ServerMetrics, webhooks: WebhookIntake,
        reloadSignals: UnixSignalsSequence?
    ) {
        self.loaded = loaded
        self.store = store
        self.httpClient = httpClient
        self.logger = options.logger
        let holder = ProviderSetHolder(set)
        self.holder = holder
        let reloader = ConfigReloader(
            loader: loader, path: options.configPath, holder: holder, context: context, metrics: metrics,
            logger: options.logger, startup: loaded.config)
        let listeners = Listeners(holder: holder, metrics: metrics, reloader: reloader, store: store, webhooks: webhooks, logger: options.logger)
        let config = loaded.config

        // Services stop in reverse order: listeners drain first, the reaper releases providers last.
        var services: [any Service] = [RetiredProviderSetReaper(holder: holder, logger: options.logger)]
        if let reloadSignals { services.append(ReloadSignalService(signals: reloadSignals, reloader: reloader)) }
        if let interval = options.watchInterval {
            services.append(ConfigWatcher(
                configPath: options.configPath, holder: holder, reloader: reloader, interval: interval, logger: options.logger))
        }
        services.append(WebhookDeliveryWorker(
            store: store, transport: context.transport, config: { holder.set.loaded.config.webhooks }, metrics: metrics,
            doorbell: webhooks.doorbell, policy: options.webhookDeliveryPolicy, logger: options.logger))
        services.append(listeners.socketApplication(config: config.listen, onReady: options.onReady))
        if let tcp = config.listen.tcp { services.append(listeners.tcpApplication(address: tcp)) }
        if let address = config.webhooksListen { services.append(listeners.webhooksApplication(address: address)) }
        if let address = config.metricsListen { services.append(listeners.metricsApplication(address: address)) }
        self.serviceGroup = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: options.handleSignals ? [.sigterm, .sigint] : [],
            logger: options.logger))
    }

    /// Serves until shut down, then drains in-flight requests and releases everything.
    public func run() async throws {
        let socket = loaded.config.listen.socket
        defer { UnixSocketFile.remove(path: socket) }
        do {
            try await serviceGroup.run()
        } catch {
            await release()
            throw error
        }
        await release()
        logger.info("stopped")
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
    }

    private func release() async {
        try? await httpClient.shutdown()
        try? await store.close()
    }

    /// Makes this process non-dumpable, so that another process of the same user cannot read
    /// its memory (and the secrets in it) through `/proc/PID/mem`, ptrace or a core file.
    public static func hardenProcess() {
        _ = csidecar_set_non_dumpable()
        // New files (the socket before its chmod, the store) are private to the daemon's user.
        umask(0o077)
    }
}
