import Foundation

/// The bodies of the `/payments/*` calls as callers send them, and their validation: every
/// problem is reported together, each naming its field, before any vendor is called.
public enum PaymentsRequests {
    /// `POST /payments/customers`.
    public struct CustomerBody: Sendable, Decodable {
        public var email: String?
        public var name: String?
        public var metadata: [String: String]?

        public func validated() throws(SidecarError) -> NewCustomer {
            var problems = FieldProblems()
            let email = problems.email(email, field: "email", required: true)
            if let name, name.count > 256 { problems.add("name", "at most 256 characters") }
            problems.metadata(metadata)
            try problems.check()
            return NewCustomer(email: email ?? "", name: name, metadata: metadata ?? [:])
        }
    }

    /// `POST /payments/checkout`.
    public struct CheckoutBody: Sendable, Decodable {
        public struct LineItem: Sendable, Decodable {
            public var priceID: String?
            public var quantity: Int?
            enum CodingKeys: String, CodingKey { case priceID = "price_id", quantity }
        }

        public var customerID: String?
        public var customerEmail: String?
        public var mode: String?
        public var lineItems: [LineItem]?
        public var successURL: String?
        public var cancelURL: String?
        public var metadata: [String: String]?

        enum CodingKeys: String, CodingKey {
            case customerID = "customer_id", customerEmail = "customer_email", mode, lineItems = "line_items"
            case successURL = "success_url", cancelURL = "cancel_url", metadata
        }

        /// Stripe's own ceiling of line items per session.
        static let maxLineItems = 100

        public func validated() throws(SidecarError) -> NewCheckout {
            var problems = FieldProblems()
            let modes = NewCheckout.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            let mode: NewCheckout.Mode?
            switch self.mode {
            case nil: mode = nil; problems.add("mode", "is required (one of \(modes))")
            case let text?:
                mode = NewCheckout.Mode(rawValue: text)
                if mode == nil { problems.add("mode", "must be one of \(modes), got `\(text)`") }
            }
            var items: [NewCheckout.LineItem] = []
            switch lineItems {
            case let list? where list.isEmpty: problems.add("line_items", "at least one item is required")
            case nil: problems.add("line_items", "at least one item is required")
            case let list? where list.count > Self.maxLineItems:
                problems.add("line_items", "at most \(Self.maxLineItems) items, got \(list.count)")
            case let list?:
                for (index, item) in list.enumerated() {
                    let field = "line_items[\(index)]"
                    let price = problems.identifier(item.priceID, field: "\(field).price_id", required: true)
                    switch item.quantity {
                    case nil: problems.add("\(field).quantity", "is required")
                    case let quantity? where quantity < 1: problems.add("\(field).quantity", "must be at least 1, got \(quantity)")
                    case let quantity? where quantity > 999_999: problems.add("\(field).quantity", "must be at most 999999")
                    case let quantity?: if let price { items.append(.init(priceID: price, quantity: quantity)) }
                    }
                }
            }
            problems.url(successURL, field: "success_url")
            problems.url(cancelURL, field: "cancel_url")
            let customer = problems.identifier(customerID, field: "customer_id", required: false)
            let email = problems.email(customerEmail, field: "customer_email", required: false)
            if customerID != nil, customerEmail != nil {
                problems.add("customer_email", "give customer_id or customer_email, not both")
            }
            problems.metadata(metadata)
            try problems.check()
            let payer: NewCheckout.Payer = customer.map { .customer(id: $0) } ?? email.map { .email($0) } ?? .anonymous
            return NewCheckout(
                mode: mode ?? .payment, payer: payer, lineItems: items, successURL: successURL ?? "", cancelURL: cancelURL ?? "",
                metadata: metadata ?? [:])
        }
    }

    /// `POST /payments/portal`.
    public struct PortalBody: Sendable, Decodable {
        public var customerID: String?
        public var returnURL: String?
        enum CodingKeys: String, CodingKey { case customerID = "customer_id", returnURL = "return_url" }

        public func validated() throws(SidecarError) -> (customerID: String, returnURL: String) {
            var problems = FieldProblems()
            let customer = problems.identifier(customerID, field: "customer_id", required: true)
            problems.url(returnURL, field: "return_url")
            try problems.check()
            return (customer ?? "", returnURL ?? "")
        }
    }

    /// `POST /payments/subscriptions/cancel`.
    public struct CancelBody: Sendable, Decodable {
        public var subscriptionID: String?
        public var atPeriodEnd: Bool?
        enum CodingKeys: String, CodingKey { case subscriptionID = "subscription_id", atPeriodEnd = "at_period_end" }

        public func validated() throws(SidecarError) -> (id: String, atPeriodEnd: Bool) {
            var problems = FieldProblems()
            let id = problems.identifier(subscriptionID, field: "subscription_id", required: true)
            try problems.check()
            return (id ?? "", atPeriodEnd ?? false)
        }
    }
}
