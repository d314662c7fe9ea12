import Foundation
import Synchronization

/// Writes whole lines to standard output (or to a capture, in tests) without interleaving.
///
/// Console providers write through it, so their output can be asserted by tests and never mixes
/// half-lines from concurrent requests.
public final class LineWriter: Sendable {
    private let sink: Mutex<@Sendable (String) -> Void>

    /// A writer to the process's standard output.
    public static let standardOutput = LineWriter { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = Mutex(sink)
    }

    /// Writes `line` (which must not contain a newline) followed by a newline.
    public func write(_ line: String) {
        sink.withLock { $0(line) }
    }
}
