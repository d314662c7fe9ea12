import Foundation
import Logging
import SidecarCore

/// The offline payments provider, for development with no account and no network: customers,
/// checkout sessions and subscriptions kept in the daemon's store, shaped like Stripe's. A
/// checkout `url` opens a page the daemon serves on its webhook listener (``SandboxCheckoutFlow``);
/// paying there creates the subscription and emits Stripe-shaped events into the inbound-webhook
/// pipeline, delivered to the application like a vendor's.
public struct SandboxPaymentsProvider: PaymentsProvider, RegisteredProvider {
    /// `payments.sandbox`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["public_url"]
        /// The address the application's users reach the webhook listener at; without it the
        /// daemon puts `http://<webhooks_listen>` in front of the pages' paths.
        public var publicURL: String?

        public init?(from reader: ConfigReader) {
            publicURL = reader.string("public_url").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
                reader.problem("public_url", "expected an http:// or https:// URL")
            }
        }

        enum CodingKeys: String, CodingKey { case publicURL = "public_url" }
    }

    public static let providerName = "sandbox"
    public var name: String { Self.providerName }
    /// Where the webhook listener serves the sandbox's pages.
    public static let pagesPath = "/sandbox/payments"
    /// The source name of the events the sandbox emits.
    public static let eventSource = "sandbox"

    let store: any PaymentsSandboxStore
    let sink: (any WebhookEventSink)?
    let now: @Sendable () -> Date
    let publicURL: String?
    let logger: Logger

    public init(configuration: Configuration, context: ProviderContext) {
        store = context.store
        sink = context.webhookSink
        now = context.now
        publicURL = configuration.publicURL
        logger = context.logger
    }

    /// `path` under the public URL, or the bare path for the route to complete.
    func pageURL(_ path: String) -> String { (publicURL ?? "") + Self.pagesPath + path }

    /// Whether page URLs carry their address (`public_url`); otherwise the daemon puts the
    /// webhook listener's in front.
    public var hasPublicURL: Bool { publicURL != nil }

    var timestamp: Int { Int(now().timeIntervalSince1970) }

    public func createCustomer(_ customer: NewCustomer, idempotencyKey: String?) async throws -> Customer {
        let object = SandboxObjects.Customer(
            id: SandboxObjects.newID("cus_sbx_"), email: customer.email, name: customer.name, metadata: customer.metadata,
            created: timestamp)
        _ = try await store.insertSandboxRecord(SandboxRecord(
            kind: .customer, id: object.id, customerID: object.id, state: "active", body: try SandboxObjects.encode(object),
            createdAt: now()))
        return Customer(id: object.id, email: object.email, provider: name)
    }

    public func createCheckout(_ checkout: NewCheckout, idempotencyKey: String?) async throws -> CheckoutSession {
        var customerID: String?
        var email: String?
        switch checkout.payer {
        case .customer(let id):
            customerID = try await customer(id, field: "customer_id").id
        case .email(let address): email = address
        case .anonymous: break
        }
        let id = SandboxObjects.newID("cs_sbx_")
        let session = SandboxObjects.CheckoutSession(
            id: id, mode: checkout.mode.rawValue, status: "open", paymentStatus: "unpaid", customer: customerID,
            customerEmail: email, successURL: checkout.successURL, cancelURL: checkout.cancelURL, metadata: checkout.metadata,
            subscription: nil, url: pageURL("/checkout/\(id)"),
            lineItems: .init(data: checkout.lineItems.map { .init(price: .init(id: $0.priceID), quantity: $0.quantity) }),
            expiresAt: timestamp + 24 * 3600, created: timestamp)
        _ = try await store.insertSandboxRecord(SandboxRecord(
            kind: .checkoutSession, id: id, customerID: customerID, state: "open", body: try SandboxObjects.encode(session),
            createdAt: now()))
        return CheckoutSession(id: id, url: session.url ?? "")
    }

    public func createPortal(customerID: String, returnURL: String, idempotencyKey: String?) async throws -> String {
        let customer = try await customer(customerID, field: "customer_id")
        let id = SandboxObjects.newID("bps_sbx_")
        let session = SandboxObjects.PortalSession(
            id: id, customer: customer.id, returnURL: returnURL, url: pageURL("/portal/\(id)"), created: timestamp,
            expiresAt: timestamp + 3600)
        _ = try await store.insertSandboxRecord(SandboxRecord(
            kind: .portalSession, id: id, customerID: customer.id, state: "open", body: try SandboxObjects.encode(session),
            createdAt: now()))
        return session.url ?? ""
    }

    public func cancelSubscription(id: String, atPeriodEnd: Bool, idempotencyKey: String?) async throws -> SubscriptionState {
        let subscription = try await cancel(subscriptionID: id, atPeriodEnd: atPeriodEnd)
        return SubscriptionState(id: subscription.id, status: subscription.status, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd)
    }

    // MARK: Shared steps (also used by the pages)

    func customer(_ id: String, field: String) async throws -> SandboxObjects.Customer {
        guard let record = try await store.sandboxRecord(kind: .customer, id: id) else {
            throw SidecarError(.notFound, "\(field): No such customer: '\(id)'", provider: name)
        }
        return try SandboxObjects.decode(SandboxObjects.Customer.self, record)
    }

    /// Cancels now (status `canceled`, `customer.subscription.deleted` emitted) or at the
    /// period's end (`cancel_at_period_end`, `customer.subscription.updated` emitted). Cancelling
    /// a canceled subscription answers it as it is.
    func cancel(subscriptionID id: String, atPeriodEnd: Bool, owner: String? = nil) async throws -> SandboxObjects.Subscription {
        guard let record = try await store.sandboxRecord(kind: .subscription, id: id), owner == nil || record.customerID == owner else {
            throw SidecarError(.notFound, "subscription_id: No such subscription: '\(id)'", provider: name)
        }
        var subscription = try SandboxObjects.decode(SandboxObjects.Subscription.self, record)
        guard subscription.status != "canceled" else { return subscription }
        let eventType: String
        if atPeriodEnd {
            guard !subscription.cancelAtPeriodEnd else { return subscription }
            subscription.cancelAtPeriodEnd = true
            eventType = "customer.subscription.updated"
        } else {
            subscription.status = "canceled"
            subscription.canceledAt = timestamp
            subscription.endedAt = timestamp
            eventType = "customer.subscription.deleted"
        }
        // The event is stored before the change: a crash in between loses nothing, and a
        // repeat finds the event already stored (its id is derived from the change).
        let suffix = id.dropFirst("sub_sbx_".count)
        try await emit([event(id: "evt_sbx_\(suffix)_\(atPeriodEnd ? "cancel_at_period_end" : "deleted")", type: eventType, object: subscription)])
        let updated = try await store.updateSandboxRecord(
            kind: .subscription, id: id, expectedState: record.state, newState: subscription.status, body: try SandboxObjects.encode(subscription))
        if !updated, let current = try await store.sandboxRecord(kind: .subscription, id: id) {
            return try SandboxObjects.decode(SandboxObjects.Subscription.self, current)
        }
        return subscription
    }

    func event<Object: Encodable & Sendable>(id: String, type: String, object: Object) throws -> WebhookEventDraft {
        let envelope = SandboxObjects.Event(id: id, created: timestamp, type: type, data: .init(object: object))
        return WebhookEventDraft(
            // The pipeline fills the unified type: it maps the `sandbox` source as Stripe.
            source: Self.eventSource, eventID: id, type: type, unifiedType: nil,
            payload: try SandboxObjects.encode(envelope), createdAt: now())
    }

    /// Stores the events together in the inbound pipeline (delivered to the application).
    func emit(_ drafts: [WebhookEventDraft]) async throws {
        guard let sink else {
            logger.debug("sandbox events not emitted: no webhook pipeline runs", metadata: ["sidecar.events": .stringConvertible(drafts.count)])
            return
        }
        _ = try await sink.emit(drafts)
    }
}
