import Hummingbird
import NIOCore
import SidecarCore
#if canImport(Glibc)
import Glibc
#endif

/// Refuses callers whose UID is not in `listen.allowed_uids`, using the kernel's peer
/// credentials of the Unix socket connection (`SO_PEERCRED`). With an empty list every caller
/// that can open the socket (per `listen.socket_mode`) is served. The list is read from the
/// request's snapshot, so it changes with a reload.
struct PeerCredentialMiddleware: RouterMiddleware {
    typealias Context = SidecarRequestContext

    /// `struct ucred` of Linux: pid, uid, gid.
    struct PeerCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = try context.providerSet().loaded.config.listen.allowedUIDs
        guard !allowed.isEmpty else { return try await next(request, context) }
        guard let uid = try await Self.peerUID(of: context.channel) else {
            throw SidecarError(.unauthorized, "the caller's credentials could not be read")
        }
        guard allowed.contains(Int(uid)) else {
            context.logger.warning("refused a caller not in listen.allowed_uids", metadata: [
                "sidecar.peer_uid": .stringConvertible(uid), "sidecar.request_id": .string(context.requestID),
            ])
            throw SidecarError(.unauthorized, "uid \(uid) is not allowed on this socket (listen.allowed_uids)")
        }
        return try await next(request, context)
    }

    static func peerUID(of channel: any Channel) async throws -> UInt32? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        ).get()
        return credentials.uid
    }
}
