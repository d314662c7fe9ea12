import SidecarCore

/// Every payments vendor of this build: one line per vendor.
public enum PaymentsProviders {
    public static let all: [ProviderFactory<any PaymentsProvider>] = [
        ProviderFactory(StripePaymentsProvider.self),
        ProviderFactory(SandboxPaymentsProvider.self),
    ]
}
