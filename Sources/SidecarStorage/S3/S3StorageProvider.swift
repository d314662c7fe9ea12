import Foundation
import NIOCore
import SidecarCore

/// Amazon S3, or any S3-compatible server through `endpoint` (with `path_style` where the
/// server wants `/<bucket>/<key>`). Requests are signed with SigV4.
public struct S3StorageProvider: S3CompatibleProvider, RegisteredProvider {
    /// `storage.s3`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["bucket", "region", "access_key_id", "secret_access_key", "session_token", "endpoint", "path_style"]
            + UploadTuning.keys
        public var bucket: String
        public var region: String
        public var accessKeyID: String
        public var secretAccessKey: SecretValue
        public var sessionToken: SecretValue?
        /// Default `https://s3.<region>.amazonaws.com`.
        public var endpoint: String?
        public var pathStyle: Bool
        public var tuning: UploadTuning

        public init?(from reader: ConfigReader) {
            let bucket = reader.string("bucket", required: true)
            region = reader.string("region") ?? "us-east-1"
            let accessKeyID = reader.string("access_key_id", required: true)
            let secret = reader.secret("secret_access_key", required: true)
            sessionToken = reader.secret("session_token")
            endpoint = reader.string("endpoint")
            pathStyle = reader.bool("path_style", default: false)
            tuning = UploadTuning(from: reader, minimumPart: 5 << 20)
            if let endpoint, S3Endpoint(endpoint: endpoint, bucket: "b", pathStyle: true) == nil {
                reader.problem("endpoint", "expected an http:// or https:// URL")
            }
            guard let bucket, let accessKeyID, let secret else { return nil }
            self.bucket = bucket
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secret
        }

        enum CodingKeys: String, CodingKey {
            case bucket, region, accessKeyID = "access_key_id", secretAccessKey = "secret_access_key"
            case sessionToken = "session_token", endpoint, pathStyle = "path_style"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(bucket, forKey: .bucket)
            try container.encode(region, forKey: .region)
            try container.encode(accessKeyID, forKey: .accessKeyID)
            try container.encode(secretAccessKey, forKey: .secretAccessKey)
            try container.encode(sessionToken, forKey: .sessionToken)
            try container.encode(endpoint, forKey: .endpoint)
            try container.encode(pathStyle, forKey: .pathStyle)
            try tuning.encode(to: encoder)
        }
    }

    public static let providerName = "s3"
    public var name: String { Self.providerName }
    let storage: S3CompatibleStorage

    public init(configuration: Configuration, context: ProviderContext) throws {
        let address = configuration.endpoint ?? "https://s3.\(configuration.region).amazonaws.com"
        guard let endpoint = S3Endpoint(endpoint: address, bucket: configuration.bucket, pathStyle: configuration.pathStyle) else {
            throw SidecarError(.internalError, "storage.s3.endpoint is not a URL")
        }
        let credentials = SigV4Credentials(
            accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
            sessionToken: configuration.sessionToken)
        storage = S3CompatibleStorage(
            client: S3Client(
                provider: Self.providerName, endpoint: endpoint,
                signer: SigV4Signer(credentials: credentials, region: configuration.region),
                transport: context.transport, now: context.now),
            tuning: configuration.tuning)
    }
}
