import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Deterministic pseudo-random bytes, made chunk by chunk so that a 64 MiB object is never held
/// whole in the test either; the SHA-256 of what was produced is known when the stream ends.
struct GeneratedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let size: Int
    let seed: UInt64
    static let chunk = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: Int
        var state: UInt64
        mutating func next() async -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            let count = Swift.min(GeneratedBody.chunk, remaining)
            remaining -= count
            var words = [UInt64](repeating: 0, count: (count + 7) / 8)
            for index in words.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[index] = state
            }
            let buffer = words.withUnsafeBytes { ByteBuffer(bytes: $0.prefix(count)) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: size, state: seed | 1) }

    /// The SHA-256 (hex) of the whole body.
    func sha256() async -> String {
        var hasher = SHA256()
        for await chunk in self { hasher.update(data: Array(chunk.readableBytesView)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// What a download gave: status, headers, and the body's size and SHA-256 (or text when small).
struct StreamedResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var size: Int
    var sha256: String
    var text: String
}

extension SocketClient {
    /// Streams `body` to `path` (`Content-Length` sent when `knownLength`).
    func upload(_ path: String, body: GeneratedBody, contentType: String, knownLength: Bool = true) async throws -> LiveResponse {
        try await StorageHTTP.send(url: url(path), method: .POST, body: body, contentType: contentType, knownLength: knownLength)
    }

    /// Uploads small text.
    func upload(_ path: String, text: String, contentType: String = "text/plain") async throws -> LiveResponse {
        try await call(.POST, path, body: text, headers: [("Content-Type", contentType)])
    }

    /// Downloads `path`, hashing the body as it arrives.
    func download(_ path: String) async throws -> StreamedResponse {
        try await StorageHTTP.fetch(url: url(path))
    }
}

/// Plain HTTP calls (AsyncHTTPClient, no daemon code) for streamed bodies and signed URLs.
enum StorageHTTP {
    static func send(url: String, method: HTTPMethod, body: GeneratedBody, contentType: String?, knownLength: Bool) async throws -> LiveResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = .stream(body, length: knownLength ? .known(Int64(body.size)) : .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: collected))
    }

    static func put(url: String, text: String, contentType: String?) async throws -> LiveResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = .bytes(ByteBuffer(string: text))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: collected))
    }

    static func fetch(url: String) async throws -> StreamedResponse {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(300))
        var hasher = SHA256()
        var size = 0
        var head = ByteBuffer()
        for try await chunk in response.body {
            size += chunk.readableBytes
            hasher.update(data: Array(chunk.readableBytesView))
            if head.readableBytes < 65536 {
                var copy = chunk
                head.writeBuffer(&copy)
            }
        }
        return StreamedResponse(
            status: Int(response.status.code), headers: response.headers, size: size,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined(), text: String(buffer: head))
    }
}

/// Query-string encoding for keys in test URLs.
func queryEscaped(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-_.~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
