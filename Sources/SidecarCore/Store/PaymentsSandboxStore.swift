import Foundation

/// One object of the offline payments sandbox: a customer, checkout session, portal session or
/// subscription, kept as the Stripe-shaped JSON the sandbox answers and emits.
public struct SandboxRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case customer, checkoutSession = "checkout_session", portalSession = "portal_session", subscription
    }

    public var kind: Kind
    public var id: String
    /// The customer it belongs to, for listing a customer's subscriptions.
    public var customerID: String?
    /// Where it stands (`open`/`complete`/`expired`, `active`/`canceled`, …): the value a
    /// conditional update compares.
    public var state: String
    /// The object as JSON.
    public var body: [UInt8]
    public var createdAt: Date

    public init(kind: Kind, id: String, customerID: String?, state: String, body: [UInt8], createdAt: Date) {
        self.kind = kind
        self.id = id
        self.customerID = customerID
        self.state = state
        self.body = body
        self.createdAt = createdAt
    }
}

/// Durable objects of the payments sandbox.
///
/// ## Implementation requirements
/// - `insertSandboxRecord` stores a new record and answers true, or answers false and changes
///   nothing when `(kind, id)` exists (so a repeated step never makes a second object).
/// - `updateSandboxRecord` replaces state and body only while the stored state is `expectedState`
///   and answers whether it did: of two concurrent updates from one state exactly one wins.
/// - `sandboxRecords` answers a customer's records of a kind, oldest first.
public protocol PaymentsSandboxStore: Sendable {
    func insertSandboxRecord(_ record: SandboxRecord) async throws -> Bool
    func sandboxRecord(kind: SandboxRecord.Kind, id: String) async throws -> SandboxRecord?
    func updateSandboxRecord(
        kind: SandboxRecord.Kind, id: String, expectedState: String, newState: String, body: [UInt8]
    ) async throws -> Bool
    func sandboxRecords(kind: SandboxRecord.Kind, customerID: String) async throws -> [SandboxRecord]
}
