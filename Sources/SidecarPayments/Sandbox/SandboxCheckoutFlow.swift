import Foundation
import SidecarCore

/// What the sandbox's pages do: pay or abandon a checkout session, and cancel a subscription
/// from the billing portal. Each step can be repeated (a double click, a retry after a crash)
/// without making a second subscription or a second event.
extension SandboxPaymentsProvider {
    /// The checkout session behind a page, with `expired` applied once its time has passed.
    public func checkoutSession(id: String) async throws -> SandboxCheckoutView {
        let session = try await loadCheckout(id)
        return SandboxCheckoutView(session: session, needsEmail: session.customer == nil && session.customerEmail == nil)
    }

    /// Completes the session: creates the customer when there is none and, in subscription
    /// mode, the subscription; emits `checkout.session.completed` (and
    /// `customer.subscription.created`); answers where to send the buyer (the success URL with
    /// `{CHECKOUT_SESSION_ID}` filled in).
    public func pay(checkoutID id: String, email enteredEmail: String?) async throws -> String {
        var session = try await loadCheckout(id)
        let redirect = session.successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: session.id)
        switch session.status {
        case "complete": return redirect
        case "expired": throw SidecarError.invalidRequest("checkout: this session has expired")
        default: break
        }
        // Ids derived from the session's, so a repeated payment finds what the first one made.
        let suffix = String(id.dropFirst("cs_sbx_".count))
        var drafts: [WebhookEventDraft] = []
        var customerID = session.customer
        let entered = enteredEmail.flatMap { EmailAddress(parsing: $0)?.address }
        if session.customerEmail == nil, session.customer == nil { session.customerEmail = entered }
        // A subscription needs a customer; a one-off payment does not (as Stripe's default).
        if customerID == nil, session.mode == "subscription" {
            guard let email = session.customerEmail else {
                throw SidecarError.invalidRequest("email: an email address is required to subscribe")
            }
            let customer = SandboxObjects.Customer(id: "cus_sbx_\(suffix)", email: email, name: nil, metadata: [:], created: timestamp)
            _ = try await store.insertSandboxRecord(SandboxRecord(
                kind: .customer, id: customer.id, customerID: customer.id, state: "active", body: try SandboxObjects.encode(customer),
                createdAt: now()))
            customerID = customer.id
        }
        session.customer = customerID
        if session.mode == "subscription", let customerID {
            let subscription = SandboxObjects.Subscription(
                id: "sub_sbx_\(suffix)", customer: customerID, status: "active", cancelAtPeriodEnd: false, canceledAt: nil,
                endedAt: nil, currentPeriodStart: timestamp, currentPeriodEnd: timestamp + 30 * 24 * 3600,
                items: .init(data: session.lineItems.data.enumerated().map { index, item in
                    .init(id: "si_sbx_\(suffix)_\(index)", price: item.price, quantity: item.quantity)
                }),
                metadata: session.metadata, created: timestamp)
            _ = try await store.insertSandboxRecord(SandboxRecord(
                kind: .subscription, id: subscription.id, customerID: customerID, state: "active",
                body: try SandboxObjects.encode(subscription), createdAt: now()))
            session.subscription = subscription.id
            drafts.append(try event(id: "evt_sbx_\(suffix)_subscription_created", type: "customer.subscription.created", object: subscription))
        }
        session.status = "complete"
        session.paymentStatus = "paid"
        session.url = nil
        drafts.insert(try event(id: "evt_sbx_\(suffix)_completed", type: "checkout.session.completed", object: session), at: 0)
        // Events first: a crash before the session is marked complete loses nothing, and the
        // repeat finds its events already stored.
        try await emit(drafts)
        _ = try await store.updateSandboxRecord(
            kind: .checkoutSession, id: id, expectedState: "open", newState: "complete", body: try SandboxObjects.encode(session))
        return redirect
    }

    /// The buyer left the page: answers the cancel URL; the session stays open until it expires.
    public func abandon(checkoutID id: String) async throws -> String {
        try await loadCheckout(id).cancelURL
    }

    /// The portal session behind a page and its customer's subscriptions.
    public func portal(id: String) async throws -> SandboxPortalView {
        guard let record = try await store.sandboxRecord(kind: .portalSession, id: id) else {
            throw SidecarError(.notFound, "portal: no such session", provider: name)
        }
        let session = try SandboxObjects.decode(SandboxObjects.PortalSession.self, record)
        guard timestamp <= session.expiresAt else {
            throw SidecarError.invalidRequest("portal: this session has expired; ask the application for a new one")
        }
        let subscriptions = try await store.sandboxRecords(kind: .subscription, customerID: session.customer)
            .map { try SandboxObjects.decode(SandboxObjects.Subscription.self, $0) }
        let customer = try await customer(session.customer, field: "customer")
        return SandboxPortalView(session: session, email: customer.email, subscriptions: subscriptions)
    }

    /// Cancels one of the portal customer's subscriptions now; answers the portal page's URL.
    public func cancelFromPortal(portalID: String, subscriptionID: String) async throws -> String {
        let view = try await portal(id: portalID)
        _ = try await cancel(subscriptionID: subscriptionID, atPeriodEnd: false, owner: view.session.customer)
        return Self.pagesPath + "/portal/\(portalID)"
    }

    private func loadCheckout(_ id: String) async throws -> SandboxObjects.CheckoutSession {
        guard let record = try await store.sandboxRecord(kind: .checkoutSession, id: id) else {
            throw SidecarError(.notFound, "checkout: no such session", provider: name)
        }
        var session = try SandboxObjects.decode(SandboxObjects.CheckoutSession.self, record)
        if session.status == "open", timestamp > session.expiresAt {
            session.status = "expired"
            session.url = nil
        }
        return session
    }
}

/// A checkout session as its page shows it.
public struct SandboxCheckoutView: Sendable {
    let session: SandboxObjects.CheckoutSession
    /// Neither a customer nor an email was given: the page asks for one.
    let needsEmail: Bool
}

/// A billing-portal session as its page shows it.
public struct SandboxPortalView: Sendable {
    let session: SandboxObjects.PortalSession
    let email: String
    let subscriptions: [SandboxObjects.Subscription]
}
