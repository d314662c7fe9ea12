import Foundation
import SidecarCore

/// `POST /storage/signed-url` body.
struct SignedURLRequest: Decodable {
    var key: String?
    var expiresIn: Int?
    var method: String?
    var contentType: String?
    enum CodingKeys: String, CodingKey { case key, expiresIn = "expires_in", method, contentType = "content_type" }
}

/// `POST /storage/delete` body.
struct DeleteRequest: Decodable {
    var key: String?
}

/// `200` of `/storage/upload` (and of a signed PUT).
struct UploadAnswer: Encodable {
    var key: String
    var size: Int64
    var etag: String?
    var contentType: String?
    var provider: String
    enum CodingKeys: String, CodingKey { case key, size, etag, contentType = "content_type", provider }

    init(object: StoredObject, provider: String) {
        key = object.key
        size = object.size
        etag = object.etag
        contentType = object.contentType
        self.provider = provider
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(size, forKey: .size)
        try container.encode(etag, forKey: .etag)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(provider, forKey: .provider)
    }
}

/// `200` of `/storage/signed-url`.
struct SignedURLAnswer: Encodable {
    var url: String
    var method: String
    var expiresAt: Date
    enum CodingKeys: String, CodingKey { case url, method, expiresAt = "expires_at" }
}

/// `200` of `/storage/delete`.
struct DeleteAnswer: Encodable {
    var key: String
    var deleted = true
}

/// `200` of `/storage/list`.
struct ListAnswer: Encodable {
    struct Object: Encodable {
        var key: String
        var size: Int64
        var etag: String?
        var lastModified: Date?
        enum CodingKeys: String, CodingKey { case key, size, etag, lastModified = "last_modified" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(size, forKey: .size)
            try container.encode(etag, forKey: .etag)
            try container.encode(lastModified, forKey: .lastModified)
        }
    }

    var objects: [Object]
    var nextCursor: String?
    enum CodingKeys: String, CodingKey { case objects, nextCursor = "next_cursor" }

    init(page: ObjectPage) {
        objects = page.objects.map { Object(key: $0.key, size: $0.size, etag: $0.etag, lastModified: $0.lastModified) }
        nextCursor = page.nextCursor
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(objects, forKey: .objects)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
