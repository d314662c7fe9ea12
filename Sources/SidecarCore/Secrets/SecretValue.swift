import Crypto

/// A secret string: a vendor key, a password, a token, or any value that came from a
/// `${env:…}` / `${file:…}` reference.
///
/// Every way of turning it into text the daemon owns — `description`, `debugDescription`,
/// string interpolation, `Encodable`, `dump()` via its mirror — gives `<redacted>`.
/// The raw value is read only through ``withRevealedValue(_:)`` or ``revealedBytes``,
/// at the point where a vendor request is signed.
public struct SecretValue: Sendable, Hashable {
    /// The text every rendering of a secret shows.
    public static let redacted = "<redacted>"

    private let value: String

    /// Wraps a raw secret. The caller must not keep another copy of it as a `String`.
    public init(_ value: String) {
        self.value = value
    }

    /// Gives the raw value to `body`; the only door out of the type.
    public func withRevealedValue<Result>(_ body: (String) throws -> Result) rethrows -> Result {
        try body(value)
    }

    /// The raw UTF-8 bytes, for signing keys (HMAC, SigV4).
    public var revealedBytes: [UInt8] { Array(value.utf8) }

    /// Whether the secret is the empty string.
    public var isEmpty: Bool { value.isEmpty }

    /// Compares against a candidate in time that does not depend on where they differ.
    public func constantTimeEquals(_ candidate: some StringProtocol) -> Bool {
        // Hash both sides so that the comparison length is fixed and leaks nothing of the length.
        let lhs = SHA256.hash(data: Array(value.utf8))
        let rhs = SHA256.hash(data: Array(candidate.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }
}

extension SecretValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { Self.redacted }
    public var debugDescription: String { Self.redacted }
    public var customMirror: Mirror { Mirror(reflecting: Self.redacted) }
}

extension SecretValue: Encodable {
    /// Encodes as `"<redacted>"`: no encoder the daemon owns can reveal a secret.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.redacted)
    }
}
