/// The per-vendor knobs of the HTTP transport, read from the keys every HTTP vendor block
/// accepts besides its own: `timeout_seconds`, `max_attempts`, `circuit_failure_threshold`,
/// `circuit_cool_down_seconds`.
public struct VendorHTTPSettings: Sendable, Encodable {
    /// The keys to add to a vendor block's ``ProviderConfiguration/keys``.
    public static let keys = ["timeout_seconds", "max_attempts", "circuit_failure_threshold", "circuit_cool_down_seconds"]

    /// The deadline of each attempt (default 30 s).
    public var timeoutSeconds: Int
    /// Attempts per call where repeating is safe (default 3).
    public var maxAttempts: Int
    public var circuitFailureThreshold: Int
    public var circuitCoolDownSeconds: Int

    public init(timeoutSeconds: Int = 30, maxAttempts: Int = 3, circuitFailureThreshold: Int = 5, circuitCoolDownSeconds: Int = 30) {
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.circuitFailureThreshold = circuitFailureThreshold
        self.circuitCoolDownSeconds = circuitCoolDownSeconds
    }

    public init(from reader: ConfigReader) {
        timeoutSeconds = reader.int("timeout_seconds", default: 30, range: 1...600)
        maxAttempts = reader.int("max_attempts", default: 3, range: 1...10)
        circuitFailureThreshold = reader.int("circuit_failure_threshold", default: 5, range: 1...1000)
        circuitCoolDownSeconds = reader.int("circuit_cool_down_seconds", default: 30, range: 1...3600)
    }

    enum CodingKeys: String, CodingKey {
        case timeoutSeconds = "timeout_seconds", maxAttempts = "max_attempts"
        case circuitFailureThreshold = "circuit_failure_threshold", circuitCoolDownSeconds = "circuit_cool_down_seconds"
    }

    public var timeout: Duration { .seconds(timeoutSeconds) }

    public var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts) }

    /// A fresh breaker for `provider` with these thresholds.
    public func makeBreaker(provider: String) -> CircuitBreaker {
        CircuitBreaker(provider: provider, configuration: .init(
            failureThreshold: circuitFailureThreshold, coolDown: .seconds(circuitCoolDownSeconds)))
    }
}
