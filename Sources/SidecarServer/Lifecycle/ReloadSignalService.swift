import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every `SIGHUP`.
struct ReloadSignalService: Service {
    /// Created when the daemon starts, so the signal is trapped before the socket is ready.
    let signals: UnixSignalsSequence
    let reloader: ConfigReloader

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = await reloader.reload()
        }
    }
}
