import Foundation

/// How the delivery worker paces itself: exponential backoff with jitter between attempts,
/// `Retry-After` honoured, a deadline per attempt, and how much it does at once.
public struct WebhookDeliveryPolicy: Sendable {
    /// The delay after the first failed attempt; each further failure doubles it.
    public var initialBackoff: Duration
    /// The longest delay between two attempts the worker chooses itself.
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured.
    public var maxRetryAfter: Duration
    /// The share of each delay that is random (0…1): 0.5 waits between 50 % and 100 % of it.
    public var jitter: Double
    /// The deadline of one delivery request.
    public var attemptTimeout: Duration
    /// How often the worker looks at the store when nothing woke it.
    public var idlePoll: Duration
    /// Events taken from the store per round.
    public var batchSize: Int
    /// Deliveries in flight at once.
    public var concurrency: Int

    public init(
        initialBackoff: Duration = .seconds(5), maxBackoff: Duration = .seconds(3600), maxRetryAfter: Duration = .seconds(3600), jitter: Double = 0.5,
        attemptTimeout: Duration = .seconds(15), idlePoll: Duration = .seconds(1), batchSize: Int = 128, concurrency: Int = 16
    ) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
        self.jitter = jitter
        self.attemptTimeout = attemptTimeout
        self.idlePoll = idlePoll
        self.batchSize = batchSize
        self.concurrency = concurrency
    }

    /// The daemon's defaults: 5 s, 10 s, 20 s … up to an hour between attempts.
    public static let standard = WebhookDeliveryPolicy()

    /// The delay before the attempt after `failedAttempts` failures, at least `retryAfter`.
    public func delay(afterFailedAttempts failedAttempts: Int, retryAfter: Duration?) -> Duration {
        let exponent = min(max(failedAttempts - 1, 0), 30)
        let base = min(initialBackoff * (1 << exponent), maxBackoff)
        let factor = 1 - jitter * Double.random(in: 0...1)
        var delay = base * factor
        if let retryAfter { delay = max(delay, min(retryAfter, maxRetryAfter)) }
        return delay
    }

    /// Parses `Retry-After` given in seconds (an HTTP date is not honoured).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
