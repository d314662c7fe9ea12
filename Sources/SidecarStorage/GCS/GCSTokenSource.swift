import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore

/// OAuth access tokens for a service account by the JWT-bearer grant, cached until shortly
/// before they expire.
actor GCSTokenSource {
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"
    /// A token is renewed this long before its expiry.
    static let renewalMargin: TimeInterval = 120

    private let account: GCSServiceAccount
    private let transport: HTTPTransport
    private let now: @Sendable () -> Date
    private var cached: (token: SecretValue, expiresAt: Date)?

    init(account: GCSServiceAccount, transport: HTTPTransport, now: @escaping @Sendable () -> Date) {
        self.account = account
        self.transport = transport
        self.now = now
    }

    /// A valid access token.
    func token() async throws -> SecretValue {
        if let cached, cached.expiresAt.timeIntervalSince(now()) > Self.renewalMargin { return cached.token }
        // Callers arriving together while no token is cached may each exchange once; the last wins.
        let (token, expiresAt) = try await Self.exchange(account: account, transport: transport, now: now)
        cached = (token, expiresAt)
        return token
    }

    /// Forgets the cached token (after the vendor refused it).
    func invalidate() { cached = nil }

    private struct Answer: Decodable {
        var accessToken: String?
        var expiresIn: Int?
        var error: String?
        enum CodingKeys: String, CodingKey { case accessToken = "access_token", expiresIn = "expires_in", error }
    }

    private static func exchange(account: GCSServiceAccount, transport: HTTPTransport, now: @Sendable () -> Date) async throws -> (SecretValue, Date) {
        let issued = now()
        let assertion = try account.assertion(scope: scope, now: issued)
        let form = "grant_type=\(SigV4Encoding.encode("urn:ietf:params:oauth:grant-type:jwt-bearer"))&assertion=\(assertion)"
        // Asking for a token again is harmless, so the exchange is retried like a read.
        let call = VendorCall(
            method: .POST, url: account.tokenURI, headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form), safeToRepeat: true)
        let response = try await transport.execute(call, provider: GCSStorageProvider.providerName)
        let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body.readableBytesView))
        guard response.status == 200, let token = answer?.accessToken, !token.isEmpty else {
            let reason = answer?.error.map { " (\($0))" } ?? ""
            throw SidecarError(
                .providerError, "gcs: the token endpoint refused the service account's assertion\(reason)",
                provider: GCSStorageProvider.providerName, providerStatus: response.status, retryable: response.status >= 500)
        }
        return (SecretValue(token), issued.addingTimeInterval(TimeInterval(answer?.expiresIn ?? 3600)))
    }
}
