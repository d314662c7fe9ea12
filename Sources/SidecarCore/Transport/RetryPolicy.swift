/// How the transport retries one vendor call: exponential backoff with full jitter, on 429, 5xx
/// and connection failures only, and only where repeating the call is safe.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included (default 3).
    public var maxAttempts: Int
    /// The first backoff; each retry doubles it (default 200 ms).
    public var baseDelay: Duration
    /// The longest backoff between two attempts (default 5 s).
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a longer one ends the retries (default 30 s).
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5), maxRetryAfter: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff before attempt `attempt + 1` (attempt counts from 1): a random duration up to
    /// `min(maxDelay, baseDelay · 2^(attempt-1))`.
    public func backoff(after attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 20)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let nanoseconds = Int64(ceiling.components.seconds) * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(nanoseconds, 0)))
    }
}
