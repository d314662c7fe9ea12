import Foundation

/// A user of the application as the auth provider knows it.
public struct AuthUser: Sendable, Hashable, Codable {
    public var id: String
    public var email: String
    public var createdAt: Date?
}

/// An access/refresh token pair.
public struct TokenPair: Sendable, Hashable, Codable {
    public var accessToken: String
    public var refreshToken: String
    public var tokenType: String
    public var expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", tokenType = "token_type", expiresIn = "expires_in"
    }
}

/// Authenticates the application's users through one vendor (or the daemon itself).
///
/// ## Implementation requirements
/// - A taken email is `409 conflict`; bad credentials and bad tokens are `401 unauthorized`
///   with a message that does not reveal which part was wrong.
/// - `requestPasswordReset` succeeds whether or not the user exists.
/// - Operations a vendor lacks are `501 not_supported`.
/// - Every implementation passes the auth conformance suite.
public protocol AuthProvider: Sendable {
    var name: String { get }
    func createUser(email: String, password: SecretValue, name: String?) async throws -> AuthUser
    func verifyCredentials(email: String, password: SecretValue) async throws -> AuthUser
    func issueTokens(userId: String) async throws -> TokenPair
    /// Answers the token's claims (`sub`, `exp`, `iat`, …).
    func verifyToken(_ token: String) async throws -> [String: JSONValue]
    func refreshTokens(_ refreshToken: String) async throws -> TokenPair
    func revokeToken(_ token: String) async throws
    func requestPasswordReset(email: String) async throws
    /// Answers the user id whose password was changed.
    func confirmPasswordReset(token: String, newPassword: SecretValue) async throws -> String
    func shutdown() async
}

extension AuthProvider {
    public func shutdown() async {}
}
