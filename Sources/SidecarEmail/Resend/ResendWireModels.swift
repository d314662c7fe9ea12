import Foundation
import SidecarCore

/// The body of Resend's `POST /emails` (and one element of `/emails/batch`). Public only so that
/// the micro-benchmarks (Benchmarks/) can measure building and encoding it.
public struct ResendEmail: Encodable {
    struct Attachment: Encodable {
        var filename: String
        var content: String
        var contentType: String
        enum CodingKeys: String, CodingKey { case filename, content, contentType = "content_type" }
    }

    struct Tag: Encodable {
        var name: String
        var value: String
    }

    var from: String
    var to: [String]
    var cc: [String]?
    var bcc: [String]?
    var replyTo: [String]?
    var subject: String
    var html: String?
    var text: String?
    var headers: [String: String]?
    var attachments: [Attachment]?
    var tags: [Tag]?

    enum CodingKeys: String, CodingKey {
        case from, to, cc, bcc, replyTo = "reply_to", subject, html, text, headers, attachments, tags
    }

    /// Resend's tag rule: ASCII letters, digits, `_` and `-`, at most 256 characters.
    static func isValidTagText(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 256
            && text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
    }

    /// The wire body of `message`; fails on tags Resend refuses.
    public init(_ message: EmailMessage) throws(SidecarError) {
        for (name, value) in message.tags where !Self.isValidTagText(name) || !Self.isValidTagText(value) {
            throw SidecarError(
                .invalidRequest, "tags.\(name): resend accepts only ASCII letters, digits, `_` and `-` in tag names and values",
                provider: ResendEmailProvider.providerName)
        }
        from = message.from.description
        to = message.to.map(\.description)
        cc = message.cc.isEmpty ? nil : message.cc.map(\.description)
        bcc = message.bcc.isEmpty ? nil : message.bcc.map(\.description)
        replyTo = message.replyTo.isEmpty ? nil : message.replyTo.map(\.description)
        subject = message.subject
        html = message.html
        text = message.text
        headers = message.headers.isEmpty ? nil : Dictionary(message.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        attachments = message.attachments.isEmpty ? nil : message.attachments.map {
            Attachment(filename: $0.filename, content: Data($0.content).base64EncodedString(), contentType: $0.contentType)
        }
        tags = message.tags.isEmpty ? nil : message.tags.sorted { $0.key < $1.key }.map { Tag(name: $0.key, value: $0.value) }
    }
}

/// `200 {"id": "…"}`.
struct ResendSent: Decodable {
    var id: String
}

/// `200 {"data": [{"id"}…], "errors": [{"index", "message"}]}` of a permissive batch.
struct ResendBatchSent: Decodable {
    struct Failure: Decodable {
        var index: Int
        var message: String
    }
    var data: [ResendSent]
    var errors: [Failure]?
}

/// `{"statusCode": 422, "message": "…", "name": "validation_error"}`.
struct ResendError: Decodable {
    var statusCode: Int?
    var message: String?
    var name: String?
}
