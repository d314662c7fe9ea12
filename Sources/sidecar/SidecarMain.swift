import NIOCore
import NIOPosix

/// The process entry: puts Swift concurrency on NIO's event loops, then runs the command line.
@main
enum SidecarMain {
    static func main() async {
        // Tasks then run on the event loop threads the connections live on instead of hopping to the
        // cooperative pool and back (measured in docs/benchmarks.md). Answers false, and changes
        // nothing, when it cannot be installed.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Sidecar.main()
    }
}
