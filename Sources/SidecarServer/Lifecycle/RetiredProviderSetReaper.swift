import Logging
import ServiceLifecycle
import SidecarCore

/// Shuts down each provider set replaced by a reload once its last request has ended, and the
/// current set when the daemon stops.
struct RetiredProviderSetReaper: Service {
    let holder: ProviderSetHolder
    let logger: Logger

    func run() async throws {
        await withGracefulShutdownHandler {
            for await entry in holder.retired {
                await entry.retireAndDrain()
                await entry.set.shutdown()
                logger.debug("released provider set", metadata: ["sidecar.config_version": .string(entry.set.version)])
            }
        } onGracefulShutdown: {
            holder.finish()
        }
        // The current set is released last, after the listeners have drained.
        await holder.set.shutdown()
    }
}
