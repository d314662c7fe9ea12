import Foundation

/// The headers of an inbound webhook request, looked up case-insensitively.
public struct WebhookRequestHeaders: Sendable, Hashable {
    private var values: [String: String]

    /// `pairs` as received; a repeated name keeps its first value.
    public init(_ pairs: some Sequence<(String, String)>) {
        var values: [String: String] = [:]
        for (name, value) in pairs where values[name.lowercased()] == nil {
            values[name.lowercased()] = value
        }
        self.values = values
    }

    public subscript(_ name: String) -> String? { values[name.lowercased()] }

    /// The named headers that are present, lowercased, for the audit record.
    public func subset(_ names: [String]) -> [String: String] {
        var kept: [String: String] = [:]
        for name in names { kept[name.lowercased()] = values[name.lowercased()] }
        return kept
    }
}

/// Why an inbound webhook's signature was refused. The reason goes to the log and the
/// `sidecar.webhooks.rejected` metric, never to the caller (who sees only `invalid_signature`).
public struct WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case missingHeader = "missing_header"
        case malformedHeader = "malformed_header"
        case staleTimestamp = "stale_timestamp"
        case futureTimestamp = "future_timestamp"
        case signatureMismatch = "signature_mismatch"
        case unusableKey = "unusable_key"
    }

    public var reason: Reason
    /// What exactly was wrong (a header name, never a secret or a signature).
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// Checks that an inbound webhook was signed by its vendor, over the raw body bytes.
///
/// ## Implementation requirements
/// - Verify `body` exactly as received; never a re-serialisation of parsed JSON.
/// - Compare signatures in constant time; accept when any one of several signatures matches
///   (vendors send several while a secret is being rotated).
/// - Refuse a timestamp outside the tolerance, in the past or in the future, using `now`
///   (injected, so that published vectors with old timestamps can be tested).
/// - Throw ``WebhookVerificationError`` and never put a secret or a computed signature in it.
public protocol WebhookSignatureVerifier: Sendable {
    func verify(body: [UInt8], headers: WebhookRequestHeaders, now: Date) throws(WebhookVerificationError)
}

/// Helpers every verifier shares.
enum SignatureChecks {
    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEquals(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// Parses a Unix-seconds header and checks it lies within `tolerance` of `now`.
    static func checkTimestamp(_ text: String?, header: String, now: Date, tolerance: TimeInterval) throws(WebhookVerificationError) -> Int {
        guard let text else { throw WebhookVerificationError(.missingHeader, header) }
        guard let seconds = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw WebhookVerificationError(.malformedHeader, "\(header): not a Unix timestamp")
        }
        let age = now.timeIntervalSince1970 - Double(seconds)
        if age > tolerance { throw WebhookVerificationError(.staleTimestamp, "\(header): \(Int(age)) s old, tolerance \(Int(tolerance)) s") }
        if -age > tolerance { throw WebhookVerificationError(.futureTimestamp, "\(header): \(Int(-age)) s ahead, tolerance \(Int(tolerance)) s") }
        return seconds
    }

    /// Decodes a `whsec_<base64>` secret (Svix, Standard Webhooks) into the HMAC key.
    static func whsecKey(_ secret: String) -> [UInt8]? {
        var encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        // Unpadded base64 is accepted, as the Standard Webhooks libraries accept it.
        if encoded.count % 4 != 0 { encoded += String(repeating: "=", count: 4 - encoded.count % 4) }
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else { return nil }
        return Array(key)
    }
}
