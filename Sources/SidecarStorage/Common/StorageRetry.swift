import SidecarCore

/// Retries opening a download while it fails with a retryable ``SidecarError`` (unreachable,
/// 5xx, S3's `SlowDown`), with exponential backoff. Collected calls are retried by the transport
/// itself; a streamed call is not, because its body may already be on its way to the caller —
/// so the storage providers retry it here, only until the vendor has answered 200.
public enum StorageRetry {
    public static func idempotent<T: Sendable>(
        attempts: Int = 3, baseDelay: Duration = .milliseconds(200), _ operation: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as SidecarError where error.retryable && attempt < attempts {
                let wait = error.retryAfterSeconds.map { Duration.seconds(min($0, 5)) } ?? baseDelay * (1 << (attempt - 1))
                try await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }
}
