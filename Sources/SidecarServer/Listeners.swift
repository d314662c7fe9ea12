import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SidecarCore
import SidecarWebhooks

/// Builds the daemon's listeners: the application socket, the optional TCP listener (same API,
/// bearer token required), the public webhook listener and the metrics listener.
struct Listeners {
    let holder: ProviderSetHolder
    let metrics: ServerMetrics
    let reloader: ConfigReloader
    let store: any SidecarStore
    let webhooks: WebhookIntake
    let logger: Logger

    /// The full application API.
    func apiRouter(requireBearer: Bool) -> Router<SidecarRequestContext> {
        let router = Router(context: SidecarRequestContext.self)
        let paths = DaemonRoutes.paths + EmailRoutes.paths + StorageRoutes.paths + PaymentsRoutes.paths + WebhookEventRoutes.paths
        router.add(middleware: APIEnvelopeMiddleware(holder: holder, metrics: metrics, knownPaths: Set(paths)))
        if requireBearer {
            router.add(middleware: BearerTokenMiddleware())
        } else {
            router.add(middleware: PeerCredentialMiddleware())
        }
        let idempotency = IdempotentExecution(store: store)
        DaemonRoutes(metrics: metrics, reloader: reloader).register(on: router)
        EmailRoutes(idempotency: idempotency).register(on: router)
        StorageRoutes(idempotency: idempotency).register(on: router)
        PaymentsRoutes(idempotency: idempotency).register(on: router)
        WebhookEventRoutes(store: store, doorbell: webhooks.doorbell).register(on: router)
        return router
    }

    func socketApplication(config: ListenConfig, onReady: @escaping @Sendable () async -> Void) -> some Service {
        let path = config.socket
        let mode = config.socketMode
        let logger = self.logger
        return Application(
            router: apiRouter(requireBearer: false),
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "sidecar"),
            onServerRunning: { _ in
                do {
                    try UnixSocketFile.setMode(path: path, mode: mode)
                } catch {
                    logger.error("\(error)")
                }
                logger.info("serving the application API", metadata: ["sidecar.socket": .string(path)])
                await onReady()
            },
            logger: logger)
    }

    func tcpApplication(address: ListenAddress) -> some Service {
        let logger = self.logger
        return Application(
            router: apiRouter(requireBearer: true),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "sidecar"),
            onServerRunning: { _ in logger.info("serving the application API on TCP", metadata: ["sidecar.address": .string(address.description)]) },
            logger: logger)
    }

    /// The only listener meant to be reachable from outside the pod: never the application API.
    func webhooksApplication(address: ListenAddress) -> some Service {
        let router = Router(context: SidecarRequestContext.self)
        router.add(middleware: APIEnvelopeMiddleware(
            holder: holder, metrics: metrics, knownPaths: Set(["/healthz"] + StorageSignedRoutes.paths)))
        router.get("/healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        StorageSignedRoutes().register(on: router)
        SandboxPaymentsPageRoutes().register(on: router)
        WebhookIntakeRoutes(intake: webhooks).register(on: router)
        let logger = self.logger
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "sidecar"),
            onServerRunning: { _ in logger.info("serving webhooks", metadata: ["sidecar.address": .string(address.description)]) },
            logger: logger)
    }

    func metricsApplication(address: ListenAddress) -> some Service {
        let router = Router(context: SidecarRequestContext.self)
        router.add(middleware: APIEnvelopeMiddleware(holder: holder, metrics: metrics, knownPaths: ["/metrics"]))
        let metrics = self.metrics
        router.get("/metrics") { _, _ in DaemonRoutes.metricsResponse(metrics) }
        let logger = self.logger
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "sidecar"),
            onServerRunning: { _ in logger.info("serving metrics", metadata: ["sidecar.address": .string(address.description)]) },
            logger: logger)
    }
}
