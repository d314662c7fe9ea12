import Hummingbird
import SidecarCore

/// Demands `Authorization: Bearer <listen.token>` on the TCP listener. The token is read from
/// the request's provider snapshot, so rotating it is a reload; it is compared in constant time.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = SidecarRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try context.providerSet().loaded.config.listen.token else {
            throw SidecarError(.unauthorized, "the TCP listener has no token configured")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") || header.hasPrefix("bearer "),
              token.constantTimeEquals(header.dropFirst(7))
        else {
            throw SidecarError(.unauthorized, "Authorization: a valid Bearer token is required on the TCP listener")
        }
        return try await next(request, context)
    }
}
