import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore

/// A listing cursor: the vendor's token (or the last key) wrapped in base64url so the caller
/// treats it as opaque.
public enum OpaqueCursor {
    public static func encode(_ token: String) -> String {
        Data(token.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The wrapped token, or `nil` when `cursor` is not one this API made.
    public static func decode(_ cursor: String) -> String? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let token = String(data: data, encoding: .utf8), !token.isEmpty else { return nil }
        return token
    }
}

/// Dates as vendors write them.
enum HTTPDate {
    /// An RFC 7231 date (`Tue, 15 Nov 1994 08:12:31 GMT`).
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// An ISO 8601 timestamp, with or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// A vendor's response body passed on as it arrives; a broken connection mid-body becomes a
/// ``SidecarError`` naming the provider.
struct VendorBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: HTTPClientResponse.Body
    let provider: String

    init(_ body: HTTPClientResponse.Body, provider: String) {
        self.body = body
        self.provider = provider
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let provider: String

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw SidecarError(.providerUnavailable, "\(provider) closed the connection mid-download", provider: provider, retryable: true)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator(), provider: provider) }
}
