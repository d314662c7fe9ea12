import Benchmark
import Foundation
import SidecarCore
import SidecarStorage

// AWS Signature Version 4 as S3Client uses it for S3 and R2: the headers of a signed PUT, and
// a presigned GET URL. Each iteration is one request, so the figures are per request.

let signer = SigV4Signer(
    credentials: SigV4Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SecretValue("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
    region: "eu-central-1")
let host = "acme-uploads.s3.eu-central-1.amazonaws.com"
/// A key with a space, a non-ASCII letter and folders, as applications name their objects.
let key = "tenants/acme/invoices/2026/11/Rechnung Nr 4711 – Zoë.pdf"
let signedAt = Date(timeIntervalSince1970: 1_795_000_000)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // As S3Client.request signs a PutObject: the key encoded into the path, the caller's
    // headers, the payload hash computed beforehand (hashing scales with the body; see below).
    let putHeaders = [
        ("Content-Type", "application/pdf"), ("Content-Length", "65536"),
        ("x-amz-meta-tenant", "acme"), ("x-amz-server-side-encryption", "AES256"),
    ]
    let payloadHash = SigV4Signer.payloadHash([UInt8](repeating: 0x42, count: 65_536))
    Benchmark("SigV4: sign PUT headers") { benchmark in
        for _ in benchmark.scaledIterations {
            let path = "/" + SigV4Encoding.encode(key, keepSlash: true)
            let request = SigV4Request(method: "PUT", host: host, path: path, headers: putHeaders)
            blackHole(signer.signedHeaders(for: request, payloadHash: payloadHash, date: signedAt))
        }
    }

    // As S3Client.presign makes a download link: GET, only `host` signed, one hour.
    Benchmark("SigV4: presign GET URL") { benchmark in
        for _ in benchmark.scaledIterations {
            let path = "/" + SigV4Encoding.encode(key, keepSlash: true)
            let request = SigV4Request(method: "GET", host: host, path: path)
            blackHole("https://\(host)\(path)?" + signer.presignedQuery(for: request, expires: 3600, date: signedAt))
        }
    }

    let part = [UInt8](repeating: 0x42, count: 65_536)
    Benchmark("SigV4: payload hash of 64 KiB") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SigV4Signer.payloadHash(part))
        }
    }
}
