import Foundation
import SidecarCore
import Testing

@testable import SidecarEmail

@Suite("MIME encoding")
struct MIMEEncodingTests {
    @Test func encodedWordsOnlyWhenNeededAndNeverSplitACharacter() {
        #expect(MIMEEncoding.encodedWords("Plain subject") == "Plain subject")
        let long = String(repeating: "Grüße ✓ ", count: 12)
        let encoded = MIMEEncoding.encodedWords(long)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = word.dropFirst(10).dropLast(2)
            let bytes = Data(base64Encoded: String(payload))!
            #expect(String(data: bytes, encoding: .utf8) != nil, "each word holds whole characters")
            decoded += bytes
        }
        #expect(String(decoding: decoded, as: UTF8.self) == long)
    }

    @Test func mailboxes() {
        #expect(MIMEEncoding.mailbox(name: nil, address: "a@b.test") == "a@b.test")
        #expect(MIMEEncoding.mailbox(name: "Ada Lovelace", address: "a@b.test") == "Ada Lovelace <a@b.test>")
        #expect(MIMEEncoding.mailbox(name: "Acme, Inc.", address: "a@b.test") == "\"Acme, Inc.\" <a@b.test>")
        #expect(MIMEEncoding.mailbox(name: "Zoë", address: "a@b.test") == "=?UTF-8?B?Wm/Dqw==?= <a@b.test>")
    }

    @Test func rfc2231FileNames() {
        #expect(MIMEEncoding.parameter("filename", "report.pdf") == "filename=\"report.pdf\"")
        #expect(MIMEEncoding.parameter("filename", "Übersicht März.txt") == "filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.txt")
    }

    @Test func base64LinesAre76Characters() {
        let lines = MIMEEncoding.base64Lines(Array(repeating: 0xAB, count: 1000)).components(separatedBy: "\r\n").dropLast()
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.last!.count <= 76)
    }

    @Test func quotedPrintable() {
        #expect(MIMEEncoding.quotedPrintable("a=b\nGrüße ") == "a=3Db\r\nGr=C3=BC=C3=9Fe=20\r\n")
        let long = MIMEEncoding.quotedPrintable(String(repeating: "x", count: 200))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(long.replacingOccurrences(of: "=\r\n", with: "") == String(repeating: "x", count: 200) + "\r\n")
    }

    @Test func dotStuffingAndTerminator() {
        let data = String(decoding: MIMEEncoding.dotStuffed("Subject: x\r\n\r\n.hidden\r\n..two\r\nend\r\n"), as: UTF8.self)
        #expect(data == "Subject: x\r\n\r\n..hidden\r\n...two\r\nend\r\n.\r\n")
    }

    @Test func builtMessageHasNoBccAndRequiredHeaders() throws {
        let message = EmailMessage(
            from: EmailAddress(name: "Acme", address: "noreply@acme.test"), to: [EmailAddress(address: "a@example.com")],
            bcc: [EmailAddress(address: "hidden@example.com")], subject: "Hi", html: "<p>Hello</p>", text: "Hello",
            attachments: [EmailAttachment(filename: "a.bin", content: [0, 1, 2], contentType: "application/octet-stream")])
        var builder = MIMEMessageBuilder(date: Date(timeIntervalSince1970: 1_788_000_000))
        var counter = 0
        builder.boundary = { counter += 1; return "b\(counter)" }
        let text = builder.build(message, messageID: "id@acme.test")
        #expect(!text.contains("hidden@example.com"))
        #expect(text.contains("Date: Sat, 29 Aug 2026 10:40:00 +0000\r\n"))
        #expect(text.contains("Message-ID: <id@acme.test>\r\n"))
        #expect(text.contains("MIME-Version: 1.0\r\n"))
        #expect(text.contains("Content-Type: multipart/mixed; boundary=\"b2\""))
        #expect(text.contains("Content-Type: multipart/alternative; boundary=\"b1\""))
        let plain = try #require(text.range(of: "text/plain"))
        let html = try #require(text.range(of: "text/html"))
        #expect(plain.lowerBound < html.lowerBound, "text/plain comes first")
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }
}
