import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SidecarCore

/// Delivers stored events to the application (`webhooks.deliver_to`), signed with the
/// Standard Webhooks scheme. A 2xx marks an event delivered; anything else is retried with
/// exponential backoff and jitter (at least `Retry-After`) until `webhooks.max_attempts`, after
/// which the event is `failed` until replayed. All state is in the store, so pending events are
/// delivered after a restart or a crash: at least once, the `id` letting the application dedupe.
public struct WebhookDeliveryWorker: Service, CustomStringConvertible {
    let store: any WebhookEventStore
    let client: HTTPClient
    /// The current `webhooks:` block (it follows reloads).
    let config: @Sendable () -> WebhooksConfig?
    let metrics: any WebhookMetrics
    let doorbell: WebhookDoorbell
    let policy: WebhookDeliveryPolicy
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: any WebhookEventStore, transport: HTTPTransport, config: @escaping @Sendable () -> WebhooksConfig?,
        metrics: any WebhookMetrics, doorbell: WebhookDoorbell, policy: WebhookDeliveryPolicy = .standard,
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.client = transport.client
        self.config = config
        self.metrics = metrics
        self.doorbell = doorbell
        self.policy = policy
        self.logger = logger
        self.now = now
    }

    public var description: String { "WebhookDeliveryWorker" }

    public func run() async throws {
        await withGracefulShutdownHandler {
            var warnedAbout: String?
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let setup = try self.setup()
                    warnedAbout = nil
                    if try await deliverDue(setup) == 0 {
                        await doorbell.wait(timeout: try await idleTimeout())
                    } else {
                        metrics.webhookQueueDepth(try await store.countWebhookEvents(status: .pending))
                    }
                } catch let problem as SetupProblem {
                    // Without a `webhooks.deliver_to` there is nothing to warn about: events wait.
                    if problem.isMisconfiguration, warnedAbout != problem.message {
                        logger.warning("webhook deliveries paused", metadata: ["sidecar.reason": .string(problem.message)])
                        warnedAbout = problem.message
                    }
                    await doorbell.wait(timeout: policy.idlePoll)
                } catch {
                    logger.error("webhook delivery round failed", metadata: ["sidecar.error": .string("\(error)")])
                    await doorbell.wait(timeout: policy.idlePoll)
                }
            }
        } onGracefulShutdown: {
            doorbell.ring()
        }
    }

    struct SetupProblem: Error {
        var message: String
        /// False when delivery is simply not configured.
        var isMisconfiguration = true
    }

    struct Setup: Sendable {
        var target: WebhookDeliveryTarget
        var signer: StandardWebhooksSigner
        var maxAttempts: Int
    }

    private func setup() throws -> Setup {
        guard let config = config(), let deliverTo = config.deliverTo else {
            throw SetupProblem(message: "webhooks.deliver_to is not set", isMisconfiguration: false)
        }
        guard let target = WebhookDeliveryTarget(deliverTo) else { throw SetupProblem(message: "webhooks.deliver_to is not a usable URL") }
        guard let secret = config.signingSecret, let signer = StandardWebhooksSigner(secret: secret) else {
            throw SetupProblem(message: "webhooks.signing_secret is not whsec_ followed by base64")
        }
        return Setup(target: target, signer: signer, maxAttempts: config.maxAttempts)
    }

    /// Until the next retry is due, at most `idlePoll`.
    private func idleTimeout() async throws -> Duration {
        metrics.webhookQueueDepth(try await store.countWebhookEvents(status: .pending))
        guard let next = try await store.nextWebhookAttempt() else { return policy.idlePoll }
        let wait = next.timeIntervalSince(now())
        return wait <= 0 ? .milliseconds(1) : min(.milliseconds(Int64(wait * 1000) + 1), policy.idlePoll)
    }

    /// Delivers one round of due events, `policy.concurrency` at a time; answers how many it tried.
    func deliverDue(_ setup: Setup) async throws -> Int {
        let due = try await store.dueWebhookEvents(now: now(), limit: policy.batchSize)
        guard !due.isEmpty else { return 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = due.makeIterator()
            for _ in 0..<min(policy.concurrency, due.count) {
                if let event = next.next() { group.addTask { try await deliver(event, setup) } }
            }
            while try await group.next() != nil {
                if let event = next.next() { group.addTask { try await deliver(event, setup) } }
            }
        }
        return due.count
    }

    private func deliver(_ event: StoredWebhookEvent, _ setup: Setup) async throws {
        let attempt = event.attempts + 1
        let body = UnifiedWebhookPayload.body(for: event)
        var request = HTTPClientRequest(url: setup.target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sidecar/\(SidecarVersion.current)")
        for (name, value) in setup.signer.headers(id: event.id, timestamp: now(), body: body) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))

        let problem: String
        var retryAfter: Duration?
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(policy.attemptTimeout.components.seconds) * 1_000_000_000
                + policy.attemptTimeout.components.attoseconds / 1_000_000_000))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) {
                let deliveredAt = now()
                try await store.markWebhookDelivered(id: event.id, attempts: attempt, at: deliveredAt)
                metrics.webhookDelivered(source: event.draft.source, latency: .milliseconds(Int64(deliveredAt.timeIntervalSince(event.receivedAt) * 1000)))
                return
            }
            problem = "the application answered \(response.status.code)"
            retryAfter = WebhookDeliveryPolicy.retryAfter(response.headers.first(name: "Retry-After"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            problem = "the application did not answer within \(policy.attemptTimeout)"
        } catch {
            problem = "the application is unreachable"
        }
        metrics.webhookAttemptFailed(source: event.draft.source)
        if attempt >= setup.maxAttempts {
            try await store.markWebhookAttemptFailed(id: event.id, attempts: attempt, nextAttemptAt: nil, error: problem)
            metrics.webhookFailed(source: event.draft.source)
            logger.warning("webhook event failed after its last attempt", metadata: [
                "sidecar.webhook.event": .string(event.id), "sidecar.webhook.attempts": .stringConvertible(attempt),
                "sidecar.reason": .string(problem),
            ])
        } else {
            let delay = policy.delay(afterFailedAttempts: attempt, retryAfter: retryAfter)
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            try await store.markWebhookAttemptFailed(id: event.id, attempts: attempt, nextAttemptAt: now().addingTimeInterval(seconds), error: problem)
        }
    }
}
