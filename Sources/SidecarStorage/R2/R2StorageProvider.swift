import Foundation
import NIOCore
import SidecarCore

/// Cloudflare R2: the S3 API at `https://<account_id>.r2.cloudflarestorage.com`, signed with
/// SigV4 for region `auto`, path-style addressing.
public struct R2StorageProvider: S3CompatibleProvider, RegisteredProvider {
    /// `storage.r2`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["account_id", "bucket", "access_key_id", "secret_access_key", "endpoint"] + UploadTuning.keys
        public var accountID: String
        public var bucket: String
        public var accessKeyID: String
        public var secretAccessKey: SecretValue
        /// Default `https://<account_id>.r2.cloudflarestorage.com` (a jurisdiction or a test server otherwise).
        public var endpoint: String?
        public var tuning: UploadTuning

        public init?(from reader: ConfigReader) {
            let accountID = reader.string("account_id", required: true)
            let bucket = reader.string("bucket", required: true)
            let accessKeyID = reader.string("access_key_id", required: true)
            let secret = reader.secret("secret_access_key", required: true)
            endpoint = reader.string("endpoint")
            tuning = UploadTuning(from: reader, minimumPart: 5 << 20)
            if let endpoint, S3Endpoint(endpoint: endpoint, bucket: "b", pathStyle: true) == nil {
                reader.problem("endpoint", "expected an http:// or https:// URL")
            }
            if let accountID, !accountID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                reader.problem("account_id", "expected letters and digits only")
            }
            guard let accountID, let bucket, let accessKeyID, let secret else { return nil }
            self.accountID = accountID
            self.bucket = bucket
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secret
        }

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id", bucket, accessKeyID = "access_key_id", secretAccessKey = "secret_access_key"
            case endpoint
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accountID, forKey: .accountID)
            try container.encode(bucket, forKey: .bucket)
            try container.encode(accessKeyID, forKey: .accessKeyID)
            try container.encode(secretAccessKey, forKey: .secretAccessKey)
            try container.encode(endpoint, forKey: .endpoint)
            try tuning.encode(to: encoder)
        }
    }

    public static let providerName = "r2"
    public var name: String { Self.providerName }
    let storage: S3CompatibleStorage

    public init(configuration: Configuration, context: ProviderContext) throws {
        let address = configuration.endpoint ?? "https://\(configuration.accountID).r2.cloudflarestorage.com"
        guard let endpoint = S3Endpoint(endpoint: address, bucket: configuration.bucket, pathStyle: true) else {
            throw SidecarError(.internalError, "storage.r2.endpoint is not a URL")
        }
        let credentials = SigV4Credentials(accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey)
        storage = S3CompatibleStorage(
            client: S3Client(
                provider: Self.providerName, endpoint: endpoint, signer: SigV4Signer(credentials: credentials, region: "auto"),
                transport: context.transport, now: context.now),
            tuning: configuration.tuning)
    }
}
