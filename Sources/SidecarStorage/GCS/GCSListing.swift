import Foundation
import SidecarCore

/// One page of a GCS listing. The opaque cursor carries the vendor's page token and the last
/// key returned, so a page is cut at `limit` even where a server returns more than asked.
struct GCSListing: Sendable {
    let client: GCSClient

    private struct Cursor: Codable {
        /// The page token the next request sends.
        var token: String?
        /// Keys up to and including this one were returned already.
        var after: String?
    }

    private struct Answer: Decodable {
        var items: [GCSClient.ObjectResource]?
        var nextPageToken: String?
    }

    func page(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage {
        var position = Cursor()
        if let cursor {
            guard let text = OpaqueCursor.decode(cursor), let decoded = try? JSONDecoder().decode(Cursor.self, from: Data(text.utf8)) else {
                throw SidecarError.invalidRequest("cursor: not a cursor this API returned")
            }
            position = decoded
        }
        var query = [("maxResults", String(limit)), ("prefix", prefix)]
        if let token = position.token { query.append(("pageToken", token)) }
        if position.token == nil, let after = position.after { query.append(("startOffset", after)) }
        let url = "\(client.endpoint)\(client.bucketPath)?\(SigV4Encoding.canonicalQuery(query))"
        let answer = try client.decode(Answer.self, from: try await client.send(try await client.request(.GET, url: url, idempotent: true)))
        var items = (answer.items ?? []).filter { $0.name.hasPrefix(prefix) }
        if let after = position.after {
            items = items.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.name.utf8)) }
        }
        items.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        let page = Array(items.prefix(limit))
        var next: Cursor?
        if items.count > limit {
            next = Cursor(token: position.token, after: page.last?.name)
        } else if let token = answer.nextPageToken, !token.isEmpty {
            next = Cursor(token: token, after: page.last?.name ?? position.after)
        }
        let nextCursor = try next.map { OpaqueCursor.encode(String(decoding: try JSONEncoder().encode($0), as: UTF8.self)) }
        return ObjectPage(objects: page.map { $0.stored() }, nextCursor: nextCursor)
    }
}
