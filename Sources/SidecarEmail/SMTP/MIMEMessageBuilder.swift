import Foundation
import SidecarCore

/// Builds the RFC 5322 / MIME text of an ``EmailMessage``: `multipart/alternative` (text first)
/// inside `multipart/mixed` when there are attachments; Bcc never appears in the headers.
struct MIMEMessageBuilder {
    var date = Date()
    /// Random boundaries; base64 and quoted-printable output can never contain them.
    var boundary: () -> String = { "=_sidecar_" + UUID().uuidString.replacingOccurrences(of: "-", with: "") }

    func build(_ message: EmailMessage, messageID: String) -> String {
        var headers: [String] = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(MIMEEncoding.mailbox(name: message.from.name, address: message.from.address))",
        ]
        if !message.to.isEmpty { headers.append("To: " + Self.list(message.to)) }
        if !message.cc.isEmpty { headers.append("Cc: " + Self.list(message.cc)) }
        if !message.replyTo.isEmpty { headers.append("Reply-To: " + Self.list(message.replyTo)) }
        headers.append("Subject: " + MIMEEncoding.encodedWords(message.subject))
        headers.append("Message-ID: <\(messageID)>")
        headers.append("MIME-Version: 1.0")
        for header in message.headers { headers.append("\(header.name): \(MIMEEncoding.encodedWords(header.value))") }
        for (name, value) in message.tags.sorted(by: { $0.key < $1.key }) {
            headers.append("X-Sidecar-Tag: " + MIMEEncoding.encodedWords("\(name)=\(value)"))
        }

        var body = alternative(message)
        if !message.attachments.isEmpty {
            let mixed = boundary()
            var parts = "--\(mixed)\r\n" + body
            for attachment in message.attachments {
                parts += "--\(mixed)\r\n"
                parts += "Content-Type: \(attachment.contentType); \(MIMEEncoding.parameter("name", attachment.filename))\r\n"
                parts += "Content-Disposition: attachment; \(MIMEEncoding.parameter("filename", attachment.filename))\r\n"
                parts += "Content-Transfer-Encoding: base64\r\n\r\n"
                parts += MIMEEncoding.base64Lines(attachment.content)
            }
            body = "Content-Type: multipart/mixed; boundary=\"\(mixed)\"\r\n\r\n" + parts + "--\(mixed)--\r\n"
        }
        return headers.joined(separator: "\r\n") + "\r\n" + body
    }

    /// The text/html part(s) with their own headers.
    private func alternative(_ message: EmailMessage) -> String {
        let parts = [message.text.map { ("text/plain", $0) }, message.html.map { ("text/html", $0) }].compactMap { $0 }
        func part(_ type: String, _ content: String) -> String {
            "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + MIMEEncoding.quotedPrintable(content)
        }
        guard parts.count == 2 else { return part(parts[0].0, parts[0].1) }
        let alternative = boundary()
        return "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n"
            + parts.map { "--\(alternative)\r\n" + part($0.0, $0.1) }.joined()
            + "--\(alternative)--\r\n"
    }

    private static func list(_ addresses: [EmailAddress]) -> String {
        addresses.map { MIMEEncoding.mailbox(name: $0.name, address: $0.address) }.joined(separator: ",\r\n ")
    }

    /// `Sun, 29 Nov 2026 08:01:04 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
