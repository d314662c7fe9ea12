import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The application socket's file: made ready before binding, given its mode after, removed on exit.
enum UnixSocketFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates the socket's directory and removes a stale socket left by a crashed run. A socket
    /// that still answers belongs to a running daemon and is left alone; so is any other file.
    static func prepare(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure(description: "listen.socket: \(path) exists and is not a socket; refusing to replace it")
        }
        if isServed(path) {
            throw Failure(description: "listen.socket: another process is already serving on \(path)")
        }
        unlink(path)
    }

    /// Whether a process accepts connections on the socket at `path`.
    static func isServed(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    static func setMode(path: String, mode: UInt16) throws {
        guard chmod(path, mode_t(mode)) == 0 else {
            throw Failure(description: "listen.socket: cannot set mode \(String(mode, radix: 8)) on \(path)")
        }
    }

    static func remove(path: String) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
    }
}
