/// A customer to create, validated (`POST /payments/customers`).
public struct NewCustomer: Sendable, Hashable {
    public var email: String
    public var name: String?
    public var metadata: [String: String]

    public init(email: String, name: String? = nil, metadata: [String: String] = [:]) {
        self.email = email
        self.name = name
        self.metadata = metadata
    }
}

/// A created customer.
public struct Customer: Sendable, Hashable, Codable {
    public var id: String
    public var email: String
    public var provider: String

    public init(id: String, email: String, provider: String) {
        self.id = id
        self.email = email
        self.provider = provider
    }
}

/// A checkout session to create, validated (`POST /payments/checkout`).
public struct NewCheckout: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case subscription, payment
    }

    public struct LineItem: Sendable, Hashable, Codable {
        public var priceID: String
        public var quantity: Int

        public init(priceID: String, quantity: Int) {
            self.priceID = priceID
            self.quantity = quantity
        }

        enum CodingKeys: String, CodingKey { case priceID = "price_id", quantity }
    }

    /// Who pays: an existing customer, an email Stripe prefills, or neither (asked on the page).
    public enum Payer: Sendable, Hashable {
        case customer(id: String)
        case email(String)
        case anonymous
    }

    public var mode: Mode
    public var payer: Payer
    public var lineItems: [LineItem]
    /// May hold the literal `{CHECKOUT_SESSION_ID}`, which the vendor fills in.
    public var successURL: String
    public var cancelURL: String
    public var metadata: [String: String]

    public init(
        mode: Mode, payer: Payer, lineItems: [LineItem], successURL: String, cancelURL: String, metadata: [String: String] = [:]
    ) {
        self.mode = mode
        self.payer = payer
        self.lineItems = lineItems
        self.successURL = successURL
        self.cancelURL = cancelURL
        self.metadata = metadata
    }
}

/// A checkout session the customer is sent to.
public struct CheckoutSession: Sendable, Hashable, Codable {
    public var id: String
    public var url: String

    public init(id: String, url: String) {
        self.id = id
        self.url = url
    }
}

/// A subscription after a cancel request.
public struct SubscriptionState: Sendable, Hashable, Codable {
    public var id: String
    /// The vendor's status: `canceled` after an immediate cancel; still `active` (or
    /// `trialing`) when it ends at the period's end.
    public var status: String
    public var cancelAtPeriodEnd: Bool

    public init(id: String, status: String, cancelAtPeriodEnd: Bool) {
        self.id = id
        self.status = status
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
    }

    enum CodingKeys: String, CodingKey { case id, status, cancelAtPeriodEnd = "cancel_at_period_end" }
}

/// Takes payments through one vendor.
///
/// ## Implementation requirements
/// - Creating calls forward `idempotencyKey` to the vendor where it supports one (and make one
///   per call otherwise), so that a retried create is never a second create.
/// - An unknown customer or subscription is `404 not_found` naming the field; other refusals of
///   the vendor map to ``SidecarError`` with the vendor's status and message, never a key.
/// - Every implementation passes the payments conformance suite.
public protocol PaymentsProvider: Sendable {
    var name: String { get }
    func createCustomer(_ customer: NewCustomer, idempotencyKey: String?) async throws -> Customer
    func createCheckout(_ checkout: NewCheckout, idempotencyKey: String?) async throws -> CheckoutSession
    /// Answers the URL of a billing-portal session for the customer.
    func createPortal(customerID: String, returnURL: String, idempotencyKey: String?) async throws -> String
    /// Cancels now, or at the end of the current period.
    func cancelSubscription(id: String, atPeriodEnd: Bool, idempotencyKey: String?) async throws -> SubscriptionState
    func shutdown() async
}

extension PaymentsProvider {
    public func shutdown() async {}
}
