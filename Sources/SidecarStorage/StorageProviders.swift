import SidecarCore

/// Every storage vendor of this build: one line per vendor.
public enum StorageProviders {
    public static let all: [ProviderFactory<any StorageProvider>] = [
        ProviderFactory(S3StorageProvider.self),
        ProviderFactory(R2StorageProvider.self),
        ProviderFactory(GCSStorageProvider.self),
        ProviderFactory(FilesystemStorageProvider.self),
    ]
}
