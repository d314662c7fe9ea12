/// Group commit: concurrent writes of one kind are combined into one statement (one commit,
/// one fsync) instead of one commit each, which is what bounds a durable store's write rate.
///
/// The first caller becomes the leader and flushes everything queued so far in one call of
/// `flush`; callers arriving meanwhile wait. After its flush the leader answers the waiters it
/// carried and hands the lead to the oldest remaining waiter, so that no caller flushes for
/// others indefinitely. Each caller returns once its own item is committed.
actor GroupCommitQueue<Item: Sendable, Output: Sendable> {
    private enum Wake: Sendable {
        case done(Result<Output, any Error>)
        case lead
    }

    private struct Waiter {
        var item: Item
        /// Nil for the current leader's own entry.
        var continuation: CheckedContinuation<Wake, Never>?
    }

    private var queue: [Waiter] = []
    private var leading = false
    private let maxBatch: Int
    private let flush: @Sendable ([Item]) async throws -> [Output]

    /// `flush` writes a batch in one statement and answers one output per item, in order.
    init(maxBatch: Int, flush: @escaping @Sendable ([Item]) async throws -> [Output]) {
        self.maxBatch = maxBatch
        self.flush = flush
    }

    func submit(_ item: Item) async throws -> Output {
        if leading {
            let wake = await withCheckedContinuation { queue.append(Waiter(item: item, continuation: $0)) }
            if case .done(let result) = wake { return try result.get() }
            // Handed the lead: this caller's entry is first in the queue.
        } else {
            leading = true
            queue.insert(Waiter(item: item, continuation: nil), at: 0)
        }
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        let results: [Result<Output, any Error>]
        do {
            let outputs = try await flush(batch.map(\.item))
            results = outputs.map { .success($0) }
        } catch {
            results = batch.map { _ in .failure(error) }
        }
        var own: Result<Output, any Error> = .failure(GroupCommitError.missingOutput)
        for (index, waiter) in batch.enumerated() {
            let result = index < results.count ? results[index] : .failure(GroupCommitError.missingOutput)
            if let continuation = waiter.continuation {
                continuation.resume(returning: .done(result))
            } else {
                own = result
            }
        }
        if queue.isEmpty {
            leading = false
        } else {
            let next = queue[0].continuation
            queue[0].continuation = nil
            next?.resume(returning: .lead)
        }
        return try own.get()
    }
}

/// A flush answered fewer outputs than it was given items.
enum GroupCommitError: Error {
    case missingOutput
}
