import NIOHTTP1

/// The block of a vendor reached with `Authorization: Bearer <api_key>` at a `base_url` (Resend,
/// SendGrid): the key, the address without a trailing slash, and the transport knobs of
/// ``VendorHTTPSettings``. A vendor's `Configuration` holds one and encodes as it.
public struct BearerVendorAccess: Sendable, Encodable {
    /// The keys such a block accepts.
    public static let keys = ["api_key", "base_url"] + VendorHTTPSettings.keys

    public var apiKey: SecretValue
    /// The vendor's address, without a trailing `/`.
    public var baseURL: String
    public var http: VendorHTTPSettings

    /// Reads the block, reporting every problem; `nil` without an `api_key`.
    public init?(from reader: ConfigReader, defaultBaseURL: String) {
        let key = reader.secret("api_key", required: true)
        let base = reader.string("base_url") ?? defaultBaseURL
        baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        http = VendorHTTPSettings(from: reader)
        guard let key else { return nil }
        apiKey = key
    }

    enum CodingKeys: String, CodingKey { case apiKey = "api_key", baseURL = "base_url", http }

    /// `Authorization: Bearer <api_key>`, the only place the key leaves its type.
    public func authorize(_ headers: inout HTTPHeaders) {
        apiKey.withRevealedValue { headers.add(name: "Authorization", value: "Bearer \($0)") }
    }
}
