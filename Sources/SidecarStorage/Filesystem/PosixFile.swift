#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization

/// An open file whose blocking reads and writes run on NIO's thread pool, never on the
/// cooperative executor. Closed once, by `close()` or when the last reference goes away.
final class PosixFile: Sendable {
    private let descriptor: Mutex<CInt>
    private static var pool: NIOThreadPool { .singleton }

    private init(descriptor: CInt) {
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) async throws -> PosixFile {
        try await open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
    }

    /// Creates `path` (which must not exist) for writing, mode 0600.
    static func create(_ path: String) async throws -> PosixFile {
        try await open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
    }

    private static func open(_ path: String, flags: CInt, mode: mode_t) async throws -> PosixFile {
        let fd = try await pool.runIfActive {
            let fd = Glibc.open(path, flags, mode)
            guard fd >= 0 else { throw POSIXFileError(errno: errno) }
            return fd
        }
        return PosixFile(descriptor: fd)
    }

    /// Up to `count` bytes from the current position; empty at the end of the file.
    func read(upTo count: Int) async throws -> ByteBuffer {
        let fd = descriptor.withLock { $0 }
        return try await Self.pool.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                var result: Int
                repeat { result = Glibc.read(fd, pointer.baseAddress, count) } while result < 0 && errno == EINTR
                guard result >= 0 else { throw POSIXFileError(errno: errno) }
                return result
            }
            _ = got
            return buffer
        }
    }

    /// Writes all of `buffer`.
    func write(_ buffer: ByteBuffer) async throws {
        let fd = descriptor.withLock { $0 }
        try await Self.pool.runIfActive {
            try buffer.withUnsafeReadableBytes { pointer in
                var offset = 0
                while offset < pointer.count {
                    let result = Glibc.write(fd, pointer.baseAddress.map { $0 + offset }, pointer.count - offset)
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw POSIXFileError(errno: errno)
                    }
                    offset += result
                }
            }
        }
    }

    /// Closes the descriptor now.
    func close() {
        let fd = descriptor.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}

/// A failed file-system call, by `errno`.
struct POSIXFileError: Error, Sendable {
    let errno: CInt
    var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }
}
