/// A few SMTP connections kept open between sends: at most `maxConnections` in use at once
/// (callers beyond that wait), idle ones dropped after `idleTimeout`.
actor SMTPConnectionPool {
    private let open: @Sendable () async throws -> SMTPConnection
    private let maxConnections: Int
    private let idleTimeout: Duration
    private var idle: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(maxConnections: Int, idleTimeout: Duration, open: @escaping @Sendable () async throws -> SMTPConnection) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.open = open
    }

    /// A live connection: an idle one still fresh, or a new one.
    func checkout() async throws -> SMTPConnection {
        while inUse >= maxConnections {
            await withCheckedContinuation { waiters.append($0) }
        }
        inUse += 1
        let now = ContinuousClock.now
        while let candidate = idle.popLast() {
            if candidate.connection.isActive, now - candidate.since < idleTimeout { return candidate.connection }
            await candidate.connection.quit()
        }
        do {
            return try await open()
        } catch {
            release()
            throw error
        }
    }

    /// Returns a connection; it is kept for reuse only when `reusable` and still open.
    func checkin(_ connection: SMTPConnection, reusable: Bool) async {
        if reusable, connection.isActive {
            idle.append((connection, .now))
        } else {
            connection.close()
        }
        release()
    }

    private func release() {
        inUse -= 1
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Says QUIT on every idle connection.
    func shutdown() async {
        let connections = idle
        idle = []
        for entry in connections { await entry.connection.quit() }
    }
}
