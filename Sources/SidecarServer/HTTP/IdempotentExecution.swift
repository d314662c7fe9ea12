import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SidecarCore

/// Makes a creating `POST` idempotent under the caller's `Idempotency-Key`: the same key with the
/// same body within 24 h replays the first response (the vendor is called once); the same key
/// with a different body is `409 idempotency_conflict`.
struct IdempotentExecution: Sendable {
    static let headerName = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let retention: TimeInterval = 24 * 60 * 60

    let store: any IdempotencyStore

    /// The caller's key, validated; `nil` when none was sent.
    static func key(of request: Request) throws(SidecarError) -> String? {
        guard let key = request.headers[headerName] else { return nil }
        guard !key.isEmpty, key.utf8.count <= 255, key.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) else {
            throw .invalidRequest("Idempotency-Key: must be 1 to 255 printable ASCII characters")
        }
        return key
    }

    /// Runs `operation` once per key; `body` is the collected request body it was given.
    func run(
        key: String?, request: Request, body: ByteBuffer,
        operation: () async throws -> JSONPayload
    ) async throws -> Response {
        guard let key else { return try await operation().response }
        let scope = request.uri.path
        var hasher = SHA256()
        hasher.update(data: Array(request.method.rawValue.utf8) + [0] + Array(scope.utf8) + [0])
        hasher.update(data: Array(body.readableBytesView))
        let fingerprint = hasher.finalize().map { String($0, radix: 16) }.joined()

        switch try await store.claim(scope: scope, key: key, fingerprint: fingerprint, now: Date(), ttl: Self.retention) {
        case .replay(let stored):
            var response = Response(
                status: HTTPResponse.Status(code: stored.status), headers: [.contentType: stored.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
            response.headers[Self.replayedHeader] = "true"
            return response
        case .conflict:
            throw SidecarError(.idempotencyConflict, "Idempotency-Key: this key was already used with a different request body")
        case .inProgress:
            throw SidecarError(.idempotencyConflict, "Idempotency-Key: a request with this key is still in progress", retryable: true)
        case .claimed:
            break
        }

        let payload: JSONPayload
        do {
            payload = try await operation()
        } catch {
            // A failed call keeps nothing, so the caller may retry with the same key.
            try? await store.release(scope: scope, key: key)
            throw error
        }
        try await store.complete(
            scope: scope, key: key,
            response: StoredResponse(
                status: payload.status.code, contentType: JSONResponse.contentType, body: Array(payload.body.readableBytesView)))
        return payload.response
    }
}

