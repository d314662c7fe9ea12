/// An immutable snapshot of every configured provider, built from one validated config.
///
/// A request takes the current set once, at its start, and uses it to the end; a reload builds
/// a new set and swaps one reference, so no request ever sees half of two configurations.
public final class ProviderSet: Sendable {
    public let loaded: LoadedConfig
    /// The email providers in failover order; empty when email is not configured.
    public let email: [any EmailProvider]
    public let storage: (any StorageProvider)?
    public let payments: (any PaymentsProvider)?
    public let auth: (any AuthProvider)?
    public let monitoring: (any MonitoringProvider)?

    init(
        loaded: LoadedConfig, email: [any EmailProvider], storage: (any StorageProvider)?,
        payments: (any PaymentsProvider)?, auth: (any AuthProvider)?, monitoring: (any MonitoringProvider)?
    ) {
        self.loaded = loaded
        self.email = email
        self.storage = storage
        self.payments = payments
        self.auth = auth
        self.monitoring = monitoring
    }

    /// The config version this set was built from.
    public var version: String { loaded.version }

    /// Family name → selected provider name(s), for `/readyz`.
    public var providerNames: [String: String] {
        var names: [String: String] = [:]
        for (family, config) in loaded.config.families {
            names[family.rawValue] = config.providerNames.joined(separator: ",")
        }
        return names
    }

    /// Builds every selected provider; on a failure, releases the ones already built.
    public static func build(_ loaded: LoadedConfig, registry: ProviderRegistry, context: ProviderContext) async throws -> ProviderSet {
        var built = Built()
        do {
            let families = loaded.config.families
            for selection in families[.email]?.selections ?? [] {
                built.email.append(try await make(selection, from: registry.email, context: context))
            }
            if let selection = families[.storage]?.selections.first {
                built.storage = try await make(selection, from: registry.storage, context: context)
            }
            if let selection = families[.payments]?.selections.first {
                built.payments = try await make(selection, from: registry.payments, context: context)
            }
            if let selection = families[.auth]?.selections.first {
                built.auth = try await make(selection, from: registry.auth, context: context)
            }
            if let selection = families[.monitoring]?.selections.first {
                built.monitoring = try await make(selection, from: registry.monitoring, context: context)
            }
        } catch {
            await built.shutdown()
            throw error
        }
        return ProviderSet(
            loaded: loaded, email: built.email, storage: built.storage, payments: built.payments,
            auth: built.auth, monitoring: built.monitoring)
    }

    private static func make<P>(_ selection: FamilyConfig.Selection, from factories: [ProviderFactory<P>], context: ProviderContext) async throws -> P {
        guard let factory = factories.first(where: { $0.name == selection.name }) else {
            throw SidecarError(.internalError, "no factory registered for provider \(selection.name)")
        }
        var context = context
        context.logger[metadataKey: "sidecar.provider"] = .string(selection.name)
        return try await factory.make(selection.configuration, context: context)
    }

    /// Releases what every provider holds. Called once, after the last request using the set.
    public func shutdown() async {
        var built = Built(email: email, storage: storage, payments: payments, auth: auth, monitoring: monitoring)
        await built.shutdown()
    }

    private struct Built {
        var email: [any EmailProvider] = []
        var storage: (any StorageProvider)?
        var payments: (any PaymentsProvider)?
        var auth: (any AuthProvider)?
        var monitoring: (any MonitoringProvider)?

        mutating func shutdown() async {
            for provider in email { await provider.shutdown() }
            await storage?.shutdown()
            await payments?.shutdown()
            await auth?.shutdown()
            await monitoring?.shutdown()
            self = Built()
        }
    }
}
