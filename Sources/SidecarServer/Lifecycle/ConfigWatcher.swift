import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SidecarCore

/// Reloads the configuration when its file, or any `${file:…}` secret file it references, changes.
///
/// It polls the files' contents (read through any symlinks), so every way a file can change is
/// seen the same: a rewrite in place, an editor's rename-over, and Kubernetes' atomic swap of the
/// `..data` symlink of a mounted ConfigMap or Secret, where the file's own inode never changes.
/// A burst of changes is debounced: the reload runs once the files have stayed the same for one
/// more interval.
struct ConfigWatcher: Service {
    let configPath: String
    let holder: ProviderSetHolder
    let reloader: ConfigReloader
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var seen = fingerprints()
        var pending: [String: String]?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = fingerprints()
            if let candidate = pending {
                // Debounce: reload only once two polls in a row agree.
                if candidate == now {
                    pending = nil
                    logger.info("configuration files changed; reloading")
                    _ = await reloader.reload()
                    seen = fingerprints()
                } else {
                    pending = now
                }
            } else if now != seen {
                pending = now
            }
        }
    }

    /// Path → hash of contents (or "missing") for the config file and the current set's secret files.
    private func fingerprints() -> [String: String] {
        var result: [String: String] = [:]
        for path in [configPath] + holder.set.loaded.secretFiles {
            if let data = FileManager.default.contents(atPath: path) {
                result[path] = SHA256.hash(data: data).description
            } else {
                result[path] = "missing"
            }
        }
        return result
    }
}
