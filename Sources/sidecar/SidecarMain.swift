import Foundation
import NIOCore
import NIOPosix

/// The process entry: sizes NIO's event loops, puts Swift concurrency on them, then runs the
/// command line.
@main
enum SidecarMain {
    static func main() async {
        // `SIDECAR_EVENT_LOOP_THREADS` sets how many threads serve connections and run tasks
        // (default: one per core). A pod given one CPU or less does best with 1: no hops between
        // threads on a request's way through (measured in docs/benchmarks.md).
        if let text = ProcessInfo.processInfo.environment["SIDECAR_EVENT_LOOP_THREADS"], let threads = Int(text), threads > 0 {
            NIOSingletons.groupLoopCountSuggestion = threads
        }
        // Tasks then run on the event loop threads the connections live on instead of hopping to the
        // cooperative pool and back (measured in docs/benchmarks.md). Answers false, and changes
        // nothing, when it cannot be installed.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Sidecar.main()
    }
}
