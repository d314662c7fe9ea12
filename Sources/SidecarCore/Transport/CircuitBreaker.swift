import Foundation
import Synchronization

/// Stops calling a vendor that keeps failing: after `failureThreshold` consecutive failures the
/// circuit opens and calls fail at once with `503 provider_unavailable`; after `coolDown` one
/// probe call is let through (half-open) — its success closes the circuit, its failure reopens it.
public final class CircuitBreaker: Sendable {
    /// Thresholds of a breaker.
    public struct Configuration: Sendable {
        /// Consecutive failures that open the circuit (default 5).
        public var failureThreshold: Int = 5
        /// How long the circuit stays open before a probe (default 30 s).
        public var coolDown: Duration = .seconds(30)

        public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
            self.failureThreshold = failureThreshold
            self.coolDown = coolDown
        }
    }

    /// The breaker's state, for metrics and tests.
    public enum State: Sendable, Equatable {
        case closed
        case open
        case halfOpen
    }

    private struct Storage {
        var consecutiveFailures = 0
        var openedAt: ContinuousClock.Instant?
        var probeInFlight = false
    }

    public let provider: String
    public let configuration: Configuration
    private let storage = Mutex(Storage())
    private let clock = ContinuousClock()

    public init(provider: String, configuration: Configuration = Configuration()) {
        self.provider = provider
        self.configuration = configuration
    }

    public var state: State {
        storage.withLock { storage in
            guard let openedAt = storage.openedAt else { return .closed }
            return clock.now - openedAt >= configuration.coolDown ? .halfOpen : .open
        }
    }

    /// Asks to make a call; throws `503 provider_unavailable` while the circuit is open.
    public func admit() throws(SidecarError) {
        let admitted = storage.withLock { storage -> Bool in
            guard let openedAt = storage.openedAt else { return true }
            guard clock.now - openedAt >= configuration.coolDown, !storage.probeInFlight else { return false }
            storage.probeInFlight = true
            return true
        }
        guard admitted else {
            throw SidecarError(
                .providerUnavailable, "\(provider) is failing; its circuit is open (calls resume after a cool-down)",
                provider: provider, retryable: true)
        }
    }

    /// Records a call that reached the vendor and got a healthy answer.
    public func recordSuccess() {
        storage.withLock { $0 = Storage() }
    }

    /// Records a failure: unreachable, timed out, or a 5xx.
    public func recordFailure() {
        storage.withLock { storage in
            storage.consecutiveFailures += 1
            if storage.probeInFlight || storage.consecutiveFailures >= configuration.failureThreshold {
                storage.openedAt = clock.now
                storage.probeInFlight = false
            }
        }
    }
}
