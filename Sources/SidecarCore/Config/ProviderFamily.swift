/// The five provider families of the unified API, named as their YAML blocks.
public enum ProviderFamily: String, Sendable, CaseIterable, Codable {
    case email
    case storage
    case payments
    case auth
    case monitoring
}

/// A vendor's decoded configuration block (`email.resend`, `storage.s3`, …).
///
/// Implementation requirements: decode every key with the given reader, reporting problems
/// through it rather than throwing, and list the accepted keys in ``keys`` so that unknown
/// keys are rejected with a suggestion. Secrets must be ``SecretValue`` fields. The type is
/// `Encodable` for `GET /config`; secrets encode as `<redacted>` by themselves.
public protocol ProviderConfiguration: Sendable, Encodable {
    /// Every key the block accepts.
    static var keys: [String] { get }
    /// Decodes the block; `nil` when it is unusable (the problems are on the reader).
    init?(from reader: ConfigReader)
}

/// One family's selection: the provider(s) named by `provider:` with their decoded blocks.
public struct FamilyConfig: Sendable {
    /// A provider chosen by the family's `provider:` key, with its configuration.
    public struct Selection: Sendable {
        public var name: String
        public var configuration: any ProviderConfiguration
    }

    public var family: ProviderFamily
    /// In order: the first is primary; later ones are failover (email only).
    public var selections: [Selection]
    /// Family-level settings other than `provider` (`email.from`).
    public var settings: [String: String]

    /// The provider names, in order.
    public var providerNames: [String] { selections.map(\.name) }
}
