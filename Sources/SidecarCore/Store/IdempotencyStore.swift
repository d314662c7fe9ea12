import Foundation

/// A response kept for an `Idempotency-Key`, replayed to a repeat of the same request.
public struct StoredResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// What a store says when a request with an `Idempotency-Key` begins.
public enum IdempotencyClaim: Sendable, Hashable {
    /// First use of the key: the caller now owns it and must `complete` or `release` it.
    case claimed
    /// The same request was answered before: send this again.
    case replay(StoredResponse)
    /// The key was used with a different request.
    case conflict
    /// The same request is still being answered by another call.
    case inProgress
}

/// Remembers `Idempotency-Key`s and the responses they produced, for 24 hours.
///
/// ## Implementation requirements
/// - `claim` is atomic: of two concurrent claims of one key exactly one gets `.claimed`.
/// - `fingerprint` identifies the request (method, path, body); a different fingerprint under
///   the same key is `.conflict`.
/// - A claim whose request failed is `release`d, so that the caller may retry with the key.
/// - Entries older than their `ttl` behave as absent.
public protocol IdempotencyStore: Sendable {
    func claim(scope: String, key: String, fingerprint: String, now: Date, ttl: TimeInterval) async throws -> IdempotencyClaim
    func complete(scope: String, key: String, response: StoredResponse) async throws
    func release(scope: String, key: String) async throws
    /// Deletes expired entries; answers how many.
    func purgeExpired(now: Date) async throws -> Int
}

/// The daemon's durable store: every store protocol behind one value, opened once per process.
public protocol SidecarStore: IdempotencyStore, WebhookEventStore, PaymentsSandboxStore {
    /// `sqlite` or `postgres`.
    var backend: String { get }
    /// The newest schema version applied.
    func schemaVersion() async throws -> Int
    func close() async throws
}
