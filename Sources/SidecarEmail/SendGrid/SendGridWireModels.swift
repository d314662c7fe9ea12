import Foundation
import SidecarCore

/// The body of SendGrid's `POST /v3/mail/send`.
struct SendGridMail: Encodable, Equatable {
    struct Address: Encodable, Equatable {
        var email: String
        var name: String?

        init(_ address: EmailAddress) {
            email = address.address
            name = address.name
        }
    }

    struct Personalization: Encodable, Equatable {
        var to: [Address]
        var cc: [Address]?
        var bcc: [Address]?
        var subject: String?
    }

    struct Content: Encodable, Equatable {
        var type: String
        var value: String
    }

    struct Attachment: Encodable, Equatable {
        var content: String
        var filename: String
        var type: String
        var disposition = "attachment"
    }

    var personalizations: [Personalization]
    var from: Address
    var replyTo: Address?
    var replyToList: [Address]?
    var subject: String?
    var content: [Content]
    var attachments: [Attachment]?
    var headers: [String: String]?
    var categories: [String]?
    var customArgs: [String: String]?

    enum CodingKeys: String, CodingKey {
        case personalizations, from, replyTo = "reply_to", replyToList = "reply_to_list", subject, content, attachments
        case headers, categories, customArgs = "custom_args"
    }

    /// One message, one personalization.
    init(_ message: EmailMessage) throws(SidecarError) {
        for address in message.allRecipients + [message.from] where address.name?.contains(where: { $0 == ";" || $0 == "," }) == true {
            throw SidecarError(.invalidRequest, "to: sendgrid refuses `;` and `,` in recipient names (\(address.address))", provider: "sendgrid")
        }
        personalizations = [Self.personalization(message, subject: nil)]
        from = Address(message.from)
        if message.replyTo.count == 1 {
            replyTo = Address(message.replyTo[0])
        } else if message.replyTo.count > 1 {
            replyToList = message.replyTo.map(Address.init)
        }
        subject = message.subject
        // text/plain must come before text/html.
        content = [message.text.map { Content(type: "text/plain", value: $0) }, message.html.map { Content(type: "text/html", value: $0) }]
            .compactMap { $0 }
        attachments = message.attachments.isEmpty ? nil : message.attachments.map {
            Attachment(content: Data($0.content).base64EncodedString(), filename: $0.filename, type: $0.contentType)
        }
        headers = message.headers.isEmpty ? nil : Dictionary(message.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        // Tags travel as custom_args (returned in event webhooks) and as categories (≤ 10).
        customArgs = message.tags.isEmpty ? nil : message.tags
        categories = message.tags.isEmpty ? nil : Array(Set(message.tags.values).sorted().prefix(10))
    }

    /// One call for a whole batch, when the messages share everything but recipients and subject
    /// and no address appears twice (SendGrid's rule across personalizations).
    init?(grouping messages: [EmailMessage]) {
        guard messages.count > 1, let first = messages.first, var mail = try? SendGridMail(first) else { return nil }
        var seen = Set<String>()
        var personalizations: [Personalization] = []
        for message in messages {
            guard let single = try? SendGridMail(message) else { return nil }
            var comparable = single
            comparable.personalizations = mail.personalizations
            comparable.subject = mail.subject
            guard comparable == mail else { return nil }
            for address in message.allRecipients {
                guard seen.insert(address.address.lowercased()).inserted else { return nil }
            }
            personalizations.append(Self.personalization(message, subject: message.subject))
        }
        guard personalizations.count <= 1000, seen.count <= 1000 else { return nil }
        mail.personalizations = personalizations
        mail.subject = nil
        self = mail
    }

    private static func personalization(_ message: EmailMessage, subject: String?) -> Personalization {
        Personalization(
            to: message.to.map(Address.init),
            cc: message.cc.isEmpty ? nil : message.cc.map(Address.init),
            bcc: message.bcc.isEmpty ? nil : message.bcc.map(Address.init),
            subject: subject)
    }
}

/// `{"errors": [{"message", "field", "help"}]}`.
struct SendGridErrors: Decodable {
    struct Entry: Decodable {
        var message: String?
        var field: String?
    }
    var errors: [Entry]

    /// `field: message; …` for the unified error.
    var summary: String {
        errors.map { entry in [entry.field, entry.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
    }
}
