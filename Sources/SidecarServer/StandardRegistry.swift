import SidecarCore
import SidecarEmail

extension ProviderRegistry {
    /// Every provider of this build, keyed by the YAML names of CONFIG.md.
    public static let standard = ProviderRegistry(
        email: EmailProviders.all
    )
}
