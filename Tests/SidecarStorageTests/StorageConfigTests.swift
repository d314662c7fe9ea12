import Foundation
import SidecarCore
import Testing

@testable import SidecarStorage

/// The `storage:` block: required keys, tuning ranges, the family's upload limit.
@Suite("Storage configuration")
struct StorageConfigTests {
    static func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        let loader = ConfigLoader(
            registry: ProviderRegistry(storage: StorageProviders.all), resolver: SecretReferenceResolver(environment: environment))
        do {
            _ = try loader.load(yaml: yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func s3RequiresItsKeysAndChecksTuning() {
        let problems = Self.problems("""
            storage:
              provider: s3
              s3:
                region: eu-west-1
                endpoint: ftp://example.test
                part_size_bytes: 1024
                part_concurency: 2
            """)
        #expect(problems.contains { $0.hasPrefix("storage.s3.bucket: is required") })
        #expect(problems.contains { $0.hasPrefix("storage.s3.access_key_id: is required") })
        #expect(problems.contains { $0.hasPrefix("storage.s3.secret_access_key: is required") })
        #expect(problems.contains { $0.hasPrefix("storage.s3.endpoint: expected an http:// or https:// URL") })
        #expect(problems.contains { $0.hasPrefix("storage.s3.part_size_bytes: must be between 5242880") })
        #expect(problems.contains { $0.contains("part_concurency: unknown key (did you mean `part_concurrency`?)") })
    }

    @Test func uploadLimitIsAFamilySetting() throws {
        let loader = ConfigLoader(registry: ProviderRegistry(storage: StorageProviders.all), resolver: SecretReferenceResolver(environment: [:]))
        let loaded = try loader.load(yaml: "storage:\n  provider: filesystem\n  max_upload_bytes: 1_048_576\n")
        #expect(loaded.config.storageMaxUploadBytes == 1 << 20)
        #expect(Self.problems("storage:\n  provider: filesystem\n  max_upload_bytes: 0\n").first?.hasPrefix("storage.max_upload_bytes: must be between 1") == true)
    }

    @Test func gcsPartsAreMultiplesOf256KiB() {
        let problems = Self.problems("storage:\n  provider: gcs\n  gcs:\n    bucket: b\n    credentials_file: /k.json\n    part_size_bytes: 300000\n")
        #expect(problems.contains { $0.hasPrefix("storage.gcs.part_size_bytes: must be a multiple of 262144 bytes") })
    }

    @Test func secretsAreRedactedInTheRenderedConfig() throws {
        let loader = ConfigLoader(
            registry: ProviderRegistry(storage: StorageProviders.all),
            resolver: SecretReferenceResolver(environment: ["R2_SECRET": "r2-secret-value"]))
        let loaded = try loader.load(yaml: """
            storage:
              provider: r2
              r2:
                account_id: acct
                bucket: media
                access_key_id: AKID
                secret_access_key: ${env:R2_SECRET}
            """)
        let rendered = String(decoding: try JSONEncoder().encode(loaded.redacted), as: UTF8.self)
        #expect(!rendered.contains("r2-secret-value"))
        #expect(rendered.contains("multipart_threshold_bytes"))
    }
}
