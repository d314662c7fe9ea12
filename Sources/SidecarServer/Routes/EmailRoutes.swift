import Foundation
import Hummingbird
import NIOCore
import SidecarCore

/// `POST /email/send` and `POST /email/batch`.
struct EmailRoutes {
    let idempotency: IdempotentExecution
    let limits = EmailLimits()

    static let paths = ["/email/send", "/email/batch"]

    func register(on router: Router<SidecarRequestContext>) {
        router.post("/email/send") { request, context in try await send(request, context: context) }
        router.post("/email/batch") { request, context in try await batch(request, context: context) }
    }

    private func providers(_ context: SidecarRequestContext) throws(SidecarError) -> (ProviderSet, [any EmailProvider]) {
        let set = try context.providerSet()
        guard !set.email.isEmpty else { throw .familyNotConfigured("email") }
        return (set, set.email)
    }

    func send(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let key = try IdempotentExecution.key(of: request)
        let (set, providers) = try providers(context)
        let body = try await JSONResponse.collect(request, context: context)
        let message = try RequestDecoding.decode(EmailSendRequest.self, from: body.readableBytesView)
            .validated(defaultFrom: set.loaded.config.emailFrom, limits: limits)
        return try await idempotency.run(key: key, request: request, body: body) {
            try JSONPayload(try await EmailDispatch.send(message, through: providers, idempotencyKey: key))
        }
    }

    func batch(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let key = try IdempotentExecution.key(of: request)
        let (set, providers) = try providers(context)
        let body = try await JSONResponse.collect(request, context: context)
        let batch = try RequestDecoding.decode(EmailBatchRequest.self, from: body.readableBytesView)
        guard !batch.messages.isEmpty else { throw SidecarError.invalidRequest("messages: at least one message is required") }
        guard batch.messages.count <= limits.maxBatchSize else {
            throw SidecarError.invalidRequest("messages: at most \(limits.maxBatchSize) messages per batch, got \(batch.messages.count)")
        }

        // Validate each message on its own: one bad message never fails the others.
        var results = [BatchResult?](repeating: nil, count: batch.messages.count)
        var valid: [(index: Int, message: EmailMessage)] = []
        let encoder = JSONEncoder()
        for (index, raw) in batch.messages.enumerated() {
            do {
                guard case .object = raw else { throw SidecarError.invalidRequest("messages[\(index)]: expected an object") }
                let request = try RequestDecoding.decode(EmailSendRequest.self, from: try encoder.encode(raw))
                valid.append((index, try request.validated(defaultFrom: set.loaded.config.emailFrom, limits: limits, fieldPrefix: "messages[\(index)].")))
            } catch let error as SidecarError {
                var error = error
                if error.code == .invalidRequest, !error.message.hasPrefix("messages[") {
                    error.message = "messages[\(index)].\(error.message)"
                }
                results[index] = BatchResult(index: index, error: error, requestID: context.requestID)
            }
        }
        return try await idempotency.run(key: key, request: request, body: body) {
            let sent = await EmailDispatch.sendBatch(valid.map(\.message), through: providers, idempotencyKey: key)
            for (position, outcome) in sent.enumerated() {
                let index = valid[position].index
                switch outcome {
                case .success(let result): results[index] = BatchResult(index: index, result: result)
                case .failure(let error): results[index] = BatchResult(index: index, error: error, requestID: context.requestID)
                }
            }
            return try JSONPayload(BatchResponse(results: results.compactMap { $0 }))
        }
    }

    struct BatchResponse: Encodable {
        var results: [BatchResult]
    }

    struct BatchResult: Encodable {
        var index: Int
        var id: String?
        var provider: String?
        var status: String?
        var error: JSONResponse.ErrorBody.Detail?

        init(index: Int, result: EmailSendResult) {
            self.index = index
            id = result.id
            provider = result.provider
            status = result.status
        }

        init(index: Int, error: SidecarError, requestID: String) {
            self.index = index
            self.error = .init(
                code: error.code.description, message: error.message, provider: error.provider,
                providerStatus: error.providerStatus, retryable: error.retryable, requestID: requestID)
        }
    }
}

/// Sends through the configured providers in order, moving to the next only when a provider
/// fails with a retryable error (a failover list `[resend, sendgrid]`).
enum EmailDispatch {
    static func send(_ message: EmailMessage, through providers: [any EmailProvider], idempotencyKey: String?) async throws -> EmailSendResult {
        var lastError: SidecarError?
        for provider in providers {
            do {
                return try await provider.send(message, idempotencyKey: idempotencyKey)
            } catch {
                let error = SidecarError(wrapping: error, provider: provider.name)
                guard error.retryable else { throw error }
                lastError = error
            }
        }
        throw lastError ?? SidecarError.familyNotConfigured("email")
    }

    static func sendBatch(_ messages: [EmailMessage], through providers: [any EmailProvider], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>] {
        guard let first = providers.first, !messages.isEmpty else { return [] }
        var results = await first.sendBatch(messages, idempotencyKey: idempotencyKey)
        // Messages that failed retryably go on to the next provider, one by one.
        for (index, result) in results.enumerated() {
            guard case .failure(let error) = result, error.retryable, providers.count > 1 else { continue }
            do {
                results[index] = .success(try await send(messages[index], through: Array(providers.dropFirst()), idempotencyKey: idempotencyKey.map { "\($0)-\(index)" }))
            } catch {
                results[index] = .failure(SidecarError(wrapping: error, provider: nil))
            }
        }
        return results
    }
}
