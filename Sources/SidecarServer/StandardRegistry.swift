import SidecarCore
import SidecarEmail
import SidecarPayments
import SidecarStorage

extension ProviderRegistry {
    /// Every provider of this build, keyed by the YAML names of CONFIG.md.
    public static let standard = ProviderRegistry(
        email: EmailProviders.all,
        storage: StorageProviders.all,
        payments: PaymentsProviders.all
    )
}
