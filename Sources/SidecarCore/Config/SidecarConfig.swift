/// The typed configuration of the daemon: one validated `sidecar.yaml`.
public struct SidecarConfig: Sendable {
    public var listen: ListenConfig
    /// The public webhook listener (`webhooks_listen`), if enabled.
    public var webhooksListen: ListenAddress?
    /// The Prometheus listener (`metrics_listen`), if enabled.
    public var metricsListen: ListenAddress?
    public var store: StoreConfig
    /// The configured families; an absent family answers `503 provider_unavailable`.
    public var families: [ProviderFamily: FamilyConfig]
    public var webhooks: WebhooksConfig?

    /// The email family's default sender (`email.from`).
    public var emailFrom: String? { families[.email]?.settings["from"] }

    /// The default of `storage.max_upload_bytes`: 5 GiB.
    public static let defaultMaxUploadBytes = 5 << 30

    /// The largest object `/storage/upload` accepts (`storage.max_upload_bytes`).
    public var storageMaxUploadBytes: Int {
        families[.storage]?.settings["max_upload_bytes"].flatMap { Int($0) } ?? Self.defaultMaxUploadBytes
    }
}

/// A `host:port` listener address.
public struct ListenAddress: Sendable, Hashable, Encodable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port` or `:port` (all interfaces).
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// `listen:` — the application's Unix socket and the optional loopback TCP listener.
public struct ListenConfig: Sendable, Encodable {
    public var socket: String
    /// File mode of the socket (default `0660`).
    public var socketMode: UInt16
    /// When not empty, only these peer UIDs may connect (`SO_PEERCRED`).
    public var allowedUIDs: [Int]
    public var tcp: ListenAddress?
    /// The bearer token the TCP listener demands.
    public var token: SecretValue?
    /// The JSON body limit; uploads stream and have their own.
    public var maxBodyBytes: Int

    static let keys = ["socket", "socket_mode", "allowed_uids", "tcp", "token", "max_body_bytes"]

    enum CodingKeys: String, CodingKey {
        case socket, tcp, token
        case socketMode = "socket_mode", allowedUIDs = "allowed_uids", maxBodyBytes = "max_body_bytes"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(socket, forKey: .socket)
        try container.encode("0" + String(socketMode, radix: 8), forKey: .socketMode)
        try container.encode(allowedUIDs, forKey: .allowedUIDs)
        try container.encode(tcp, forKey: .tcp)
        try container.encode(token, forKey: .token)
        try container.encode(maxBodyBytes, forKey: .maxBodyBytes)
    }
}

/// `store:` — where durable state lives.
public enum StoreConfig: Sendable, Encodable, Equatable {
    case sqlite(path: String)
    case postgres(url: SecretValue)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .sqlite(let path): try container.encode(["sqlite": path])
        case .postgres(let url): try container.encode(["postgres": url])
        }
    }
}

/// `webhooks:` — inbound vendor webhooks and their delivery to the application.
public struct WebhooksConfig: Sendable, Encodable {
    /// One vendor allowed to post to `/webhooks/{name}`.
    public struct Source: Sendable, Encodable {
        public var name: String
        /// The verification scheme: `stripe`, `svix`, `sendgrid` or `standard`.
        public var scheme: String
        public var secret: SecretValue?
        public var publicKey: SecretValue?
        public var toleranceSeconds: Int

        enum CodingKeys: String, CodingKey {
            case scheme, secret, publicKey = "public_key", toleranceSeconds = "tolerance_seconds"
        }
    }

    /// `http://…` or `unix:///path/app.sock:/webhooks`.
    public var deliverTo: String?
    public var signingSecret: SecretValue?
    public var maxAttempts: Int
    public var sources: [String: Source]

    enum CodingKeys: String, CodingKey {
        case deliverTo = "deliver_to", signingSecret = "signing_secret", maxAttempts = "max_attempts", sources
    }
}
