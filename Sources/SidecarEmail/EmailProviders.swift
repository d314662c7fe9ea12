import SidecarCore

/// Every email vendor of this build: one line per vendor.
public enum EmailProviders {
    public static let all: [ProviderFactory<any EmailProvider>] = [
        ProviderFactory(ConsoleEmailProvider.self),
        ProviderFactory(ResendEmailProvider.self),
        ProviderFactory(SendGridEmailProvider.self),
        ProviderFactory(SMTPEmailProvider.self),
    ]
}
