/// `POST /payments/customers` input.
public struct CustomerRequest: Sendable, Hashable, Codable {
    public var email: String
    public var name: String?
    public var metadata: [String: String]?
}

/// A created customer.
public struct Customer: Sendable, Hashable, Codable {
    public var id: String
    public var email: String
    public var provider: String
}

/// `POST /payments/checkout` input.
public struct CheckoutRequest: Sendable, Hashable, Codable {
    public struct LineItem: Sendable, Hashable, Codable {
        public var priceId: String
        public var quantity: Int
        enum CodingKeys: String, CodingKey { case priceId = "price_id", quantity }
    }
    public enum Mode: String, Sendable, Codable { case subscription, payment }
    public var customerId: String?
    public var customerEmail: String?
    public var mode: Mode
    public var lineItems: [LineItem]
    public var successURL: String
    public var cancelURL: String
    public var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case customerId = "customer_id", customerEmail = "customer_email", mode, lineItems = "line_items"
        case successURL = "success_url", cancelURL = "cancel_url", metadata
    }
}

/// A checkout session the customer is sent to.
public struct CheckoutSession: Sendable, Hashable, Codable {
    public var id: String
    public var url: String
}

/// Takes payments through one vendor.
///
/// ## Implementation requirements
/// - Creating calls forward `idempotencyKey` to the vendor where it supports one, so that a
///   retried create is never a second create.
/// - Vendor errors map to ``SidecarError`` with the vendor's status and message.
/// - Every implementation passes the payments conformance suite.
public protocol PaymentsProvider: Sendable {
    var name: String { get }
    func createCustomer(_ request: CustomerRequest, idempotencyKey: String?) async throws -> Customer
    func createCheckout(_ request: CheckoutRequest, idempotencyKey: String?) async throws -> CheckoutSession
    func createPortal(customerId: String, returnURL: String) async throws -> String
    /// Cancels now, or at the end of the period; answers the subscription's new status.
    func cancelSubscription(id: String, atPeriodEnd: Bool) async throws -> String
    func shutdown() async
}

extension PaymentsProvider {
    public func shutdown() async {}
}
