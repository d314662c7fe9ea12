import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore

/// A GCS resumable upload: a session is opened, the body is sent in chunks (multiples of
/// 256 KiB, each retried on its own), and the session is cancelled on any failure so that no
/// partial object is left.
struct GCSResumableUpload: Sendable {
    let client: GCSClient
    let key: String
    let chunkSize: Int

    func run<Body: AsyncSequence>(
        head: ByteBuffer, rest reader: inout UploadBodyReader<Body>, contentType: String
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        let session = try await open(contentType: contentType)
        do {
            var pending = head
            var offset: Int64 = 0
            while true {
                // Keep at least one full chunk back so the final chunk can carry the total size.
                while pending.readableBytes <= chunkSize {
                    let more = try await reader.read(upTo: chunkSize)
                    if more.readableBytes == 0 { break }
                    var more2 = more
                    pending.writeBuffer(&more2)
                }
                if pending.readableBytes <= chunkSize {
                    let total = offset + Int64(pending.readableBytes)
                    let response = try await put(session, chunk: pending, offset: offset, total: total)
                    return try client.decode(GCSClient.ObjectResource.self, from: response).stored()
                }
                let chunk = pending.readSlice(length: chunkSize) ?? ByteBuffer()
                _ = try await put(session, chunk: chunk, offset: offset, total: nil)
                offset += Int64(chunk.readableBytes)
                pending.discardReadBytes()
            }
        } catch {
            await cancel(session)
            throw error
        }
    }

    private func open(contentType: String) async throws -> String {
        let url = "\(client.endpoint)\(client.uploadPath)?uploadType=resumable&name=\(SigV4Encoding.encode(key))"
        let request = try await client.request(
            .POST, url: url, headers: [("X-Upload-Content-Type", contentType), ("Content-Type", "application/json")],
            body: ByteBuffer(string: #"{"contentType":"\#(contentType.replacingOccurrences(of: "\"", with: ""))"}"#), idempotent: false)
        let response = try await client.send(request)
        guard let location = response.headers.first(name: "Location"), !location.isEmpty else {
            throw SidecarError(.providerError, "gcs did not return a resumable session", provider: GCSClient.provider, providerStatus: response.status)
        }
        return location
    }

    private func put(_ session: String, chunk: ByteBuffer, offset: Int64, total: Int64?) async throws -> VendorResponse {
        let last = offset + Int64(chunk.readableBytes) - 1
        let range = chunk.readableBytes == 0 ? "bytes */\(total ?? 0)" : "bytes \(offset)-\(last)/\(total.map(String.init) ?? "*")"
        let request = try await client.request(.PUT, url: session, headers: [("Content-Range", range)], body: chunk, idempotent: true)
        return try await client.send(request, accept: total == nil ? [308] : [])
    }

    private func cancel(_ session: String) async {
        _ = try? await client.send(try await client.request(.DELETE, url: session, idempotent: true), accept: [404, 410, 499])
    }
}
