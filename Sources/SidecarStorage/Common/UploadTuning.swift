import SidecarCore

/// How large uploads are split: the part of a vendor block shared by S3, R2 and GCS
/// (`multipart_threshold_bytes`, `part_size_bytes`, `part_concurrency`).
public struct UploadTuning: Sendable, Encodable {
    /// The keys this adds to a vendor block.
    public static let keys = ["multipart_threshold_bytes", "part_size_bytes", "part_concurrency"]

    /// Objects of at least this size go as multipart (S3, R2) or resumable (GCS) uploads.
    public var multipartThresholdBytes: Int
    /// The size of each part; S3 needs at least 5 MiB, GCS a multiple of 256 KiB.
    public var partSizeBytes: Int
    /// How many parts are in flight at once.
    public var partConcurrency: Int

    public init(multipartThresholdBytes: Int = 16 << 20, partSizeBytes: Int = 8 << 20, partConcurrency: Int = 3) {
        self.multipartThresholdBytes = multipartThresholdBytes
        self.partSizeBytes = partSizeBytes
        self.partConcurrency = partConcurrency
    }

    /// Reads the three keys from a vendor block; `partMultiple` is the vendor's part granularity.
    public init(from reader: ConfigReader, minimumPart: Int, partMultiple: Int = 1) {
        multipartThresholdBytes = reader.int("multipart_threshold_bytes", default: 16 << 20, range: minimumPart...(5 << 30))
        partSizeBytes = reader.int("part_size_bytes", default: 8 << 20, range: minimumPart...(5 << 30))
        partConcurrency = reader.int("part_concurrency", default: 3, range: 1...32)
        if partSizeBytes % partMultiple != 0 {
            reader.problem("part_size_bytes", "must be a multiple of \(partMultiple) bytes")
        }
    }

    enum CodingKeys: String, CodingKey {
        case multipartThresholdBytes = "multipart_threshold_bytes", partSizeBytes = "part_size_bytes"
        case partConcurrency = "part_concurrency"
    }
}
