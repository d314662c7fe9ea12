import Synchronization
import SidecarCore

/// Holds the current ``ProviderSet`` and counts the requests using each set, so that a set
/// replaced by a reload is shut down only after its last request has ended.
public final class ProviderSetHolder: Sendable {
    /// One set with its count of requests in flight.
    final class Entry: Sendable {
        let set: ProviderSet
        private let state = Mutex<(inFlight: Int, retired: Bool, waiter: CheckedContinuation<Void, Never>?)>((0, false, nil))

        init(set: ProviderSet) { self.set = set }

        func acquire() { state.withLock { $0.inFlight += 1 } }

        func release() {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                state.inFlight -= 1
                guard state.inFlight == 0, state.retired, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.resume()
        }

        /// Marks the set retired and waits until no request uses it.
        func retireAndDrain() async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    state.retired = true
                    if state.inFlight == 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }

    private let current: Mutex<Entry>
    private let retiredStream: AsyncStream<Entry>
    private let retiredContinuation: AsyncStream<Entry>.Continuation

    public init(_ set: ProviderSet) {
        current = Mutex(Entry(set: set))
        (retiredStream, retiredContinuation) = AsyncStream.makeStream(of: Entry.self)
    }

    /// The set new requests get.
    public var set: ProviderSet { current.withLock { $0.set } }

    /// Takes the current set for one request; the caller must call `release` on the lease.
    func lease() -> Entry {
        current.withLock { entry in
            entry.acquire()
            return entry
        }
    }

    /// Makes `set` current; the old set is shut down once drained by ``RetiredProviderSetReaper``.
    public func swap(to set: ProviderSet) {
        let old = current.withLock { entry in
            let old = entry
            entry = Entry(set: set)
            return old
        }
        retiredContinuation.yield(old)
    }

    /// Retired sets, in the order they were replaced.
    var retired: AsyncStream<Entry> { retiredStream }

    /// Ends the stream of retired sets (at shutdown).
    func finish() { retiredContinuation.finish() }
}
