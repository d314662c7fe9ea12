import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore

/// One S3 multipart upload: parts sent with bounded concurrency (each retried on its own), and
/// the upload aborted on any failure so that no orphaned parts remain in the bucket.
struct S3MultipartUpload: Sendable {
    let client: S3Client
    let key: String
    let tuning: UploadTuning

    /// Uploads `head` (already read) and the rest of the body, then completes the upload.
    func run<Body: AsyncSequence>(
        head: ByteBuffer, rest reader: inout UploadBodyReader<Body>, contentType: String
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        let uploadID = try await create(contentType: contentType)
        do {
            var head = head
            var etags: [Int: String] = [:]
            var size: Int64 = 0
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var inFlight = 0
                var number = 0
                while true {
                    // A free slot first, then the next part is read: at most part_concurrency parts
                    // are held at once.
                    if inFlight >= tuning.partConcurrency, let finished = try await group.next() {
                        etags[finished.0] = finished.1
                        inFlight -= 1
                    }
                    // Parts are cut from what was read ahead first, topped up from the body, so
                    // that every part but the last has exactly part_size_bytes.
                    var part = head.readSlice(length: min(tuning.partSizeBytes, head.readableBytes)) ?? ByteBuffer()
                    if part.readableBytes < tuning.partSizeBytes {
                        var more = try await reader.read(upTo: tuning.partSizeBytes - part.readableBytes)
                        part.writeBuffer(&more)
                    }
                    guard part.readableBytes > 0 || number == 0 else { break }
                    number += 1
                    size += Int64(part.readableBytes)
                    let partNumber = number
                    let body = part
                    group.addTask { (partNumber, try await uploadPart(uploadID: uploadID, number: partNumber, body: body)) }
                    inFlight += 1
                    if part.readableBytes < tuning.partSizeBytes { break }
                }
                for try await (done, etag) in group { etags[done] = etag }
            }
            let etag = try await complete(uploadID: uploadID, etags: etags)
            return StoredObject(key: key, size: size, etag: etag, contentType: contentType, lastModified: nil)
        } catch {
            await abort(uploadID: uploadID)
            throw error
        }
    }

    private func create(contentType: String) async throws -> String {
        let request = client.request(.POST, key: key, query: [("uploads", "")], headers: [("content-type", contentType)], idempotent: false)
        let response = try await client.send(request)
        guard let id = S3XMLElement.parse(Data(response.body.readableBytesView))?.text("UploadId"), !id.isEmpty else {
            throw SidecarError(.providerError, "\(client.provider) did not return an upload id", provider: client.provider, providerStatus: response.status)
        }
        return id
    }

    private func uploadPart(uploadID: String, number: Int, body: ByteBuffer) async throws -> String {
        let request = client.request(
            .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body, idempotent: true)
        let response = try await client.send(request)
        guard let etag = response.headers.first(name: "ETag") else {
            throw SidecarError(.providerError, "\(client.provider) returned no ETag for part \(number)", provider: client.provider)
        }
        return etag
    }

    private func complete(uploadID: String, etags: [Int: String]) async throws -> String? {
        let parts = etags.keys.sorted().map { number in
            "<Part><PartNumber>\(number)</PartNumber><ETag>\(S3XMLText.escape(etags[number] ?? ""))</ETag></Part>"
        }
        let xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(parts.joined())</CompleteMultipartUpload>"
        let request = client.request(
            .POST, key: key, query: [("uploadId", uploadID)], headers: [("content-type", "application/xml")],
            body: ByteBuffer(string: xml), idempotent: false)
        let response = try await client.send(request)
        // S3 may answer 200 with an <Error> body when completion fails late.
        let answer = S3XMLElement.parse(Data(response.body.readableBytesView))
        if answer?.name == "Error" {
            throw client.error(status: 500, body: response.body, headers: response.headers)
        }
        return S3CompatibleStorage.unquoted(answer?.text("ETag") ?? response.headers.first(name: "ETag"))
    }

    /// Best effort (retried by the transport): the original failure is what the caller sees.
    private func abort(uploadID: String) async {
        _ = try? await client.send(client.request(.DELETE, key: key, query: [("uploadId", uploadID)], idempotent: true), accept: [404])
    }
}
