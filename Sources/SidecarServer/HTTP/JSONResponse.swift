import Foundation
import Hummingbird
import NIOCore
import SidecarCore

/// Builds JSON responses and reads JSON request bodies with the unified error shape.
enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONPayload(value, status: status).response
    }

    /// The error body of API.md for `error`.
    static func error(_ error: SidecarError, requestID: String) -> Response {
        let body = ErrorBody(error: .init(
            code: error.code.description, message: error.message, provider: error.provider,
            providerStatus: error.providerStatus, retryable: error.retryable, requestID: requestID,
            problems: error.problems))
        var response = (try? make(body, status: HTTPResponse.Status(code: error.code.httpStatus)))
            ?? Response(status: .internalServerError)
        if let seconds = error.retryAfterSeconds {
            response.headers[.retryAfter] = String(seconds)
        }
        return response
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var provider: String?
            var providerStatus: Int?
            var retryable: Bool
            var requestID: String
            var problems: [String]? = nil
            enum CodingKeys: String, CodingKey {
                case code, message, provider, providerStatus = "provider_status", retryable, requestID = "request_id", problems
            }
        }
        var error: Detail
    }

    /// Collects the body within the context's limit and decodes it into `T`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: SidecarRequestContext) async throws -> T {
        let body = try await collect(request, context: context)
        return try RequestDecoding.decode(T.self, from: body.readableBytesView)
    }

    /// Collects the body, answering `413 payload_too_large` past `listen.max_body_bytes`.
    static func collect(_ request: Request, context: SidecarRequestContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw SidecarError(.payloadTooLarge, "body: \(length) bytes is over the limit of \(limit) bytes (listen.max_body_bytes)")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw SidecarError(.payloadTooLarge, "body: over the limit of \(limit) bytes (listen.max_body_bytes)")
        }
    }
}

/// An encoded JSON answer, before it becomes a response (what idempotent routes keep).
struct JSONPayload: Sendable {
    var status: HTTPResponse.Status
    var body: ByteBuffer

    init(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        self.status = status
        self.body = ByteBuffer(bytes: try encoder.encode(value))
    }

    var response: Response {
        Response(status: status, headers: [.contentType: JSONResponse.contentType], body: ResponseBody(byteBuffer: body))
    }
}
