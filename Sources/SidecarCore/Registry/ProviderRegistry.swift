/// A provider that the registry can build from its configuration block.
///
/// A vendor conforms once; its registry line is then `ProviderFactory(<Vendor><Family>Provider.self)`.
public protocol RegisteredProvider: Sendable {
    associatedtype Configuration: ProviderConfiguration
    /// The YAML name (`resend`, `console`, …).
    static var providerName: String { get }
    init(configuration: Configuration, context: ProviderContext) async throws
}

/// Builds one vendor's provider of a family from its YAML block.
public struct ProviderFactory<Provider: Sendable>: Sendable {
    public let name: String
    /// The keys the vendor's block accepts.
    public let configurationKeys: [String]
    let decodeConfiguration: @Sendable (ConfigReader) -> (any ProviderConfiguration)?
    let makeProvider: @Sendable (any ProviderConfiguration, ProviderContext) async throws -> Provider

    /// A factory for `type`, whose instances are returned as `Provider` (the family existential).
    public init<Vendor: RegisteredProvider>(_ type: Vendor.Type, as cast: @escaping @Sendable (Vendor) -> Provider) {
        self.name = Vendor.providerName
        self.configurationKeys = Vendor.Configuration.keys
        self.decodeConfiguration = { reader in Vendor.Configuration(from: reader) }
        self.makeProvider = { configuration, context in
            guard let configuration = configuration as? Vendor.Configuration else {
                throw SidecarError(.internalError, "configuration of \(Vendor.providerName) has the wrong type")
            }
            return cast(try await Vendor(configuration: configuration, context: context))
        }
    }

    /// Builds the provider from a configuration this factory decoded.
    public func make(_ configuration: any ProviderConfiguration, context: ProviderContext) async throws -> Provider {
        try await makeProvider(configuration, context)
    }
}

extension ProviderFactory where Provider == any EmailProvider {
    public init<Vendor: RegisteredProvider & EmailProvider>(_ type: Vendor.Type) { self.init(type) { $0 } }
}

extension ProviderFactory where Provider == any StorageProvider {
    public init<Vendor: RegisteredProvider & StorageProvider>(_ type: Vendor.Type) { self.init(type) { $0 } }
}

extension ProviderFactory where Provider == any PaymentsProvider {
    public init<Vendor: RegisteredProvider & PaymentsProvider>(_ type: Vendor.Type) { self.init(type) { $0 } }
}

extension ProviderFactory where Provider == any AuthProvider {
    public init<Vendor: RegisteredProvider & AuthProvider>(_ type: Vendor.Type) { self.init(type) { $0 } }
}

extension ProviderFactory where Provider == any MonitoringProvider {
    public init<Vendor: RegisteredProvider & MonitoringProvider>(_ type: Vendor.Type) { self.init(type) { $0 } }
}

/// The table from YAML provider names to factories, one list per family.
public struct ProviderRegistry: Sendable {
    public var email: [ProviderFactory<any EmailProvider>]
    public var storage: [ProviderFactory<any StorageProvider>]
    public var payments: [ProviderFactory<any PaymentsProvider>]
    public var auth: [ProviderFactory<any AuthProvider>]
    public var monitoring: [ProviderFactory<any MonitoringProvider>]

    public init(
        email: [ProviderFactory<any EmailProvider>] = [], storage: [ProviderFactory<any StorageProvider>] = [],
        payments: [ProviderFactory<any PaymentsProvider>] = [], auth: [ProviderFactory<any AuthProvider>] = [],
        monitoring: [ProviderFactory<any MonitoringProvider>] = []
    ) {
        self.email = email
        self.storage = storage
        self.payments = payments
        self.auth = auth
        self.monitoring = monitoring
    }

    /// A family's vendors, without their provider types: what the config loader needs.
    public struct VendorEntry: Sendable {
        public let name: String
        public let configurationKeys: [String]
        let decode: @Sendable (ConfigReader) -> (any ProviderConfiguration)?
    }

    /// The vendors registered for `family`, in registration order.
    public func vendors(of family: ProviderFamily) -> [VendorEntry] {
        func entries<P>(_ factories: [ProviderFactory<P>]) -> [VendorEntry] {
            factories.map { VendorEntry(name: $0.name, configurationKeys: $0.configurationKeys, decode: $0.decodeConfiguration) }
        }
        switch family {
        case .email: return entries(email)
        case .storage: return entries(storage)
        case .payments: return entries(payments)
        case .auth: return entries(auth)
        case .monitoring: return entries(monitoring)
        }
    }
}
