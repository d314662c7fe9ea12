import Foundation
import NIOCore
import NIOPosix
import SidecarCore

/// Google Cloud Storage through its JSON API, authorized with a service account's OAuth token
/// (JWT-bearer grant); signed URLs are V4 `GOOG4-RSA-SHA256`. Large objects go as resumable uploads.
public struct GCSStorageProvider: StorageProvider, RegisteredProvider {
    /// `storage.gcs`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["bucket", "credentials_file", "endpoint"] + UploadTuning.keys
        public var bucket: String
        /// The service-account JSON key file.
        public var credentialsFile: String
        /// Default `https://storage.googleapis.com`; an emulator's address in tests.
        public var endpoint: String?
        public var tuning: UploadTuning

        public init?(from reader: ConfigReader) {
            let bucket = reader.string("bucket", required: true)
            let credentialsFile = reader.string("credentials_file", required: true)
            endpoint = reader.string("endpoint")
            tuning = UploadTuning(from: reader, minimumPart: 256 << 10, partMultiple: 256 << 10)
            if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
                reader.problem("endpoint", "expected an http:// or https:// URL")
            }
            guard let bucket, let credentialsFile else { return nil }
            self.bucket = bucket
            self.credentialsFile = credentialsFile
        }

        enum CodingKeys: String, CodingKey { case bucket, credentialsFile = "credentials_file", endpoint }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(bucket, forKey: .bucket)
            try container.encode(credentialsFile, forKey: .credentialsFile)
            try container.encode(endpoint, forKey: .endpoint)
            try tuning.encode(to: encoder)
        }
    }

    public static let providerName = "gcs"
    public var name: String { Self.providerName }
    let client: GCSClient
    let signer: GCSURLSigner
    let tuning: UploadTuning
    let now: @Sendable () -> Date

    public init(configuration: Configuration, context: ProviderContext) async throws {
        let path = configuration.credentialsFile
        guard let json = try? await NIOThreadPool.singleton.runIfActive({ try Data(contentsOf: URL(fileURLWithPath: path)) }) else {
            throw SidecarError(.providerUnavailable, "storage.gcs.credentials_file: cannot read \(path)", provider: Self.providerName)
        }
        let account = try GCSServiceAccount(json: json)
        var endpoint = configuration.endpoint ?? "https://storage.googleapis.com"
        if endpoint.hasSuffix("/") { endpoint.removeLast() }
        client = GCSClient(
            endpoint: endpoint, bucket: configuration.bucket,
            tokens: GCSTokenSource(account: account, transport: context.transport, now: context.now), transport: context.transport)
        signer = GCSURLSigner(account: account, endpoint: endpoint, bucket: configuration.bucket)
        tuning = configuration.tuning
        now = context.now
    }

    public func upload<Body: AsyncSequence & Sendable>(
        key: String, body: Body, contentType: String, contentLength: Int64?
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        var reader = UploadBodyReader(body)
        let head = try await reader.read(upTo: tuning.multipartThresholdBytes)
        let fitsOneRequest = head.readableBytes < tuning.multipartThresholdBytes ? true : try await reader.isAtEnd()
        if fitsOneRequest {
            let url = "\(client.endpoint)\(client.uploadPath)?uploadType=media&name=\(SigV4Encoding.encode(key))"
            let request = try await client.request(.POST, url: url, headers: [("Content-Type", contentType)], body: head, idempotent: false)
            return try client.decode(GCSClient.ObjectResource.self, from: try await client.send(request)).stored()
        }
        let upload = GCSResumableUpload(client: client, key: key, chunkSize: tuning.partSizeBytes)
        return try await upload.run(head: head, rest: &reader, contentType: contentType)
    }

    public func download(key: String) async throws -> ObjectDownload {
        let metadata = try await client.send(try await client.request(.GET, url: client.objectURL(key), idempotent: true))
        let object = try client.decode(GCSClient.ObjectResource.self, from: metadata).stored()
        var call = try await client.request(.GET, url: client.objectURL(key, query: "alt=media"), idempotent: true)
        call.timeout = .seconds(3600)
        let response = try await StorageRetry.idempotent {
            let response = try await client.transport.stream(call, provider: name)
            guard response.status == .ok else {
                let collected = try await client.transport.collect(response, provider: name)
                throw client.error(status: collected.status, body: collected.body)
            }
            return response
        }
        var described = object
        if let length = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }) { described.size = length }
        return ObjectDownload(object: described, body: VendorBody(response.body, provider: name))
    }

    public func signedURL(key: String, method: SignedURL.Method, expiresIn: Int, contentType: String?) async throws -> SignedURL {
        let date = now()
        let url = try signer.url(
            key: key, method: method.rawValue, expiresIn: expiresIn, contentType: method == .put ? contentType : nil, date: date)
        return SignedURL(url: url, method: method, expiresAt: date.addingTimeInterval(TimeInterval(expiresIn)))
    }

    public func delete(key: String) async throws {
        _ = try await client.send(try await client.request(.DELETE, url: client.objectURL(key), idempotent: true), accept: [404])
    }

    public func list(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage {
        try await GCSListing(client: client).page(prefix: prefix, limit: limit, cursor: cursor)
    }
}
