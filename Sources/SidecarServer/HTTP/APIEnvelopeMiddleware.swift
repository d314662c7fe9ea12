import Foundation
import Hummingbird
import Logging
import NIOCore
import SidecarCore

/// Wraps every request of a listener: assigns `X-Request-Id`, takes the provider snapshot,
/// turns every failure into the JSON error of API.md, stamps `X-Sidecar-Config-Version`, and
/// records request metrics.
struct APIEnvelopeMiddleware: RouterMiddleware {
    typealias Context = SidecarRequestContext

    let holder: ProviderSetHolder
    let metrics: ServerMetrics
    /// Paths served on this listener, to tell "wrong method" (405) from "no such route" (404).
    let knownPaths: RoutePaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        // The request id goes into the few log lines a request writes, not into a copy of the
        // logger's metadata on every request.
        context.requestID = Self.requestID(from: request)
        let lease = holder.lease()
        defer { lease.release() }
        context.providers = lease.set
        context.maxUploadSize = lease.set.loaded.config.listen.maxBodyBytes

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let mapped = map(error, request: request, context: context)
            if mapped.code == .internalError {
                context.logger.error("request failed", metadata: [
                    "sidecar.error": .string(String(describing: type(of: error))), "sidecar.request_id": .string(context.requestID),
                ])
            }
            response = JSONResponse.error(mapped, requestID: context.requestID)
        }
        response.headers[.init("X-Request-Id")!] = context.requestID
        response.headers[.init("X-Sidecar-Config-Version")!] = lease.set.version
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }

    private func map(_ error: any Error, request: Request, context: Context) -> SidecarError {
        switch error {
        case let error as SidecarError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                if knownPaths.matches(request.uri.path) {
                    return SidecarError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)")
                }
                return .notFound("no route for \(request.method) \(request.uri.path)")
            case .contentTooLarge:
                return SidecarError(.payloadTooLarge, "body: over the limit of \(context.maxUploadSize) bytes")
            case .unauthorized:
                return SidecarError(.unauthorized, error.body ?? "missing or bad credentials")
            default:
                return SidecarError(.invalidRequest, error.body ?? "bad request")
            }
        case is NIOTooManyBytesError:
            return SidecarError(.payloadTooLarge, "body: over the limit of \(context.maxUploadSize) bytes")
        default:
            return SidecarError(.internalError, "internal error (request \(context.requestID))")
        }
    }

    /// Echoes a sane caller-sent id, or makes one.
    static func requestID(from request: Request) -> String {
        if let sent = request.headers[.init("X-Request-Id")!], !sent.isEmpty, sent.utf8.count <= 128,
           sent.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) {
            return sent
        }
        return newRequestID()
    }

    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 20)
        bytes[0] = UInt8(ascii: "r")
        bytes[1] = UInt8(ascii: "e")
        bytes[2] = UInt8(ascii: "q")
        bytes[3] = UInt8(ascii: "_")
        var random = generator.next() as UInt64
        for index in 4..<20 {
            bytes[index] = digits[Int(random & 0xF)]
            random >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}


/// The path templates a listener serves (`/webhooks/:source`: a `:name` segment matches any one
/// segment), for telling a wrong method from a missing route.
struct RoutePaths: Sendable, ExpressibleByArrayLiteral {
    private let exact: Set<String>
    private let templates: [[Substring]]

    init(_ paths: some Sequence<String>) {
        exact = Set(paths.filter { !$0.contains(":") })
        templates = paths.filter { $0.contains(":") }.map { $0.split(separator: "/") }
    }

    init(arrayLiteral paths: String...) { self.init(paths) }

    func matches(_ path: String) -> Bool {
        if exact.contains(path) { return true }
        let segments = path.split(separator: "/")
        return templates.contains { template in
            template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix(":") ? !$1.isEmpty : $0 == $1 }
        }
    }
}
