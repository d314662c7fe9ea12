import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore

/// The operations of the storage API over any S3-compatible bucket: shared by the `s3` and
/// `r2` providers, which differ only in how they build the endpoint and the signing region.
struct S3CompatibleStorage: Sendable {
    let client: S3Client
    let tuning: UploadTuning

    var provider: String { client.provider }

    func upload<Body: AsyncSequence & Sendable>(
        key: String, body: Body, contentType: String, contentLength: Int64?
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        var reader = UploadBodyReader(body)
        let head = try await reader.read(upTo: tuning.multipartThresholdBytes)
        let fitsOnePut = head.readableBytes < tuning.multipartThresholdBytes ? true : try await reader.isAtEnd()
        if fitsOnePut {
            let request = client.request(.PUT, key: key, headers: [("content-type", contentType)], body: head, idempotent: true)
            let response = try await client.send(request)
            return StoredObject(
                key: key, size: Int64(head.readableBytes), etag: Self.unquoted(response.headers.first(name: "ETag")),
                contentType: contentType, lastModified: nil)
        }
        let multipart = S3MultipartUpload(client: client, key: key, tuning: tuning)
        return try await multipart.run(head: head, rest: &reader, contentType: contentType)
    }

    func download(key: String) async throws -> ObjectDownload {
        var call = client.request(.GET, key: key, idempotent: true)
        call.timeout = .seconds(3600)
        let response = try await StorageRetry.idempotent {
            let response = try await client.transport.stream(call, provider: provider)
            guard response.status == .ok else {
                let collected = try await client.transport.collect(response, provider: provider)
                throw client.error(status: collected.status, body: collected.body, headers: collected.headers)
            }
            return response
        }
        let headers = response.headers
        let object = StoredObject(
            key: key, size: headers.first(name: "Content-Length").flatMap { Int64($0) } ?? -1,
            etag: Self.unquoted(headers.first(name: "ETag")),
            contentType: headers.first(name: "Content-Type"),
            lastModified: headers.first(name: "Last-Modified").flatMap(HTTPDate.parse))
        return ObjectDownload(object: object, body: VendorBody(response.body, provider: provider))
    }

    func signedURL(key: String, method: SignedURL.Method, expiresIn: Int, contentType: String?) -> SignedURL {
        let url = client.presign(
            method: method.rawValue, key: key, expiresIn: expiresIn, contentType: method == .put ? contentType : nil)
        return SignedURL(url: url, method: method, expiresAt: client.now().addingTimeInterval(TimeInterval(expiresIn)))
    }

    func delete(key: String) async throws {
        _ = try await client.send(client.request(.DELETE, key: key, idempotent: true), accept: [404])
    }

    func list(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage {
        var query = [("list-type", "2"), ("max-keys", String(limit)), ("prefix", prefix)]
        if let cursor {
            guard let token = OpaqueCursor.decode(cursor) else { throw SidecarError.invalidRequest("cursor: not a cursor this API returned") }
            query.append(("continuation-token", token))
        }
        let response = try await client.send(client.request(.GET, key: nil, query: query, idempotent: true))
        guard let xml = S3XMLElement.parse(Data(response.body.readableBytesView)) else {
            throw SidecarError(.providerError, "\(provider) answered a listing that is not XML", provider: provider, providerStatus: response.status)
        }
        let objects = xml.all("Contents").compactMap { entry -> StoredObject? in
            guard let key = entry.text("Key") else { return nil }
            return StoredObject(
                key: key, size: entry.text("Size").flatMap { Int64($0) } ?? 0, etag: Self.unquoted(entry.text("ETag")),
                contentType: nil, lastModified: entry.text("LastModified").flatMap(HTTPDate.parseISO8601))
        }
        let truncated = xml.text("IsTruncated") == "true"
        let next = truncated ? xml.text("NextContinuationToken").map(OpaqueCursor.encode) : nil
        return ObjectPage(objects: objects, nextCursor: next)
    }

    /// An ETag without its quotes.
    static func unquoted(_ etag: String?) -> String? {
        guard var etag, !etag.isEmpty else { return nil }
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        return etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
