import Foundation
import SidecarCore
import Testing

@Suite("Email request validation")
struct EmailValidationTests {
    func validate(_ json: String, defaultFrom: String? = "Acme <noreply@acme.test>") throws(SidecarError) -> EmailMessage {
        try RequestDecoding.decode(EmailSendRequest.self, from: Array(json.utf8)).validated(defaultFrom: defaultFrom)
    }

    func message(_ json: String, defaultFrom: String? = "Acme <noreply@acme.test>") -> String? {
        do {
            _ = try validate(json, defaultFrom: defaultFrom)
            return nil
        } catch {
            #expect(error.code == .invalidRequest)
            return error.message
        }
    }

    @Test func fullMessage() throws {
        let message = try validate("""
            {"from": "\\"Acme, Inc\\" <billing@acme.test>", "to": ["a@example.com", "B <b@example.com>"], "cc": "c@example.com",
             "bcc": [], "reply_to": "help@acme.test", "subject": "Hi", "html": "<p>Hi</p>", "text": "Hi",
             "attachments": [{"filename": "r.pdf", "content_base64": "JVBERi0=", "content_type": "application/pdf"}],
             "headers": {"X-Campaign": "c1"}, "tags": {"kind": "welcome"}}
            """)
        #expect(message.from == EmailAddress(name: "Acme, Inc", address: "billing@acme.test"))
        #expect(message.from.description == "\"Acme, Inc\" <billing@acme.test>")
        #expect(message.to.map(\.address) == ["a@example.com", "b@example.com"])
        #expect(message.to[1].name == "B")
        #expect(message.cc.map(\.address) == ["c@example.com"])
        #expect(message.replyTo.map(\.address) == ["help@acme.test"])
        #expect(message.attachments == [EmailAttachment(filename: "r.pdf", content: Array("%PDF-".utf8), contentType: "application/pdf")])
        #expect(message.headers.map(\.name) == ["X-Campaign"])
        #expect(message.tags == ["kind": "welcome"])
    }

    @Test func fromDefaultsToTheConfiguredSender() throws {
        let message = try validate(#"{"to": "a@example.com", "subject": "s", "text": "t"}"#)
        #expect(message.from.address == "noreply@acme.test")
        #expect(self.message(#"{"to": "a@example.com", "subject": "s", "text": "t"}"#, defaultFrom: nil)
            == "from: is required (no default sender is configured in email.from)")
    }

    @Test(arguments: [
        (#"{"subject": "s", "text": "t"}"#, "to: at least one recipient is required"),
        (#"{"to": [], "subject": "s", "text": "t"}"#, "to: at least one recipient is required"),
        (#"{"to": "nobody", "subject": "s", "text": "t"}"#, "to: `nobody` is not a valid email address"),
        (#"{"to": ["a@example.com", "x@"], "subject": "s", "text": "t"}"#, "to[1]: `x@` is not a valid email address"),
        (#"{"to": "a@example.com", "text": "t"}"#, "subject: is required"),
        (#"{"to": "a@example.com", "subject": "s"}"#, "html: at least one of html or text is required"),
        (#"{"to": "a@example.com", "subject": "a\r\nBcc: x@evil.test", "text": "t"}"#, "subject: must not contain line breaks"),
        (#"{"to": 5, "subject": "s", "text": "t"}"#, "to: expected a string"),
        (#"{"to": "a@example.com", "subject": 1, "text": "t"}"#, "subject: expected a string"),
        (#"{"to": "a@example.com", "subject": "s", "text": "t", "headers": {"X-A": "1\r\nBcc: x@evil.test"}}"#, "headers.X-A: must not contain line breaks"),
        (#"{"to": "a@example.com", "subject": "s", "text": "t", "headers": {"From": "x@evil.test"}}"#, "headers.From: is set by the message fields, not by headers"),
        (#"{"to": "a@example.com", "subject": "s", "text": "t", "attachments": [{"filename": "a", "content_base64": "!!"}]}"#, "attachments[0].content_base64: is not valid base64"),
        (#"{"to": "a@example.com", "subject": "s", "text": "t", "attachments": [{"content_base64": "AA=="}]}"#, "attachments[0].filename: is required"),
        (#"{"to": "a@example.com", "subject": "s", "text": "t", "attachments": [{"filename": "../etc/passwd", "content_base64": "AA=="}]}"#, "attachments[0].filename: must be a plain file name"),
        (#"{"to": "a@example.com""#, "body: malformed JSON"),
        (#"[1, 2]"#, "body: expected an object"),
        ("", "body: a JSON object is required"),
    ])
    func invalidRequestsNameTheField(json: String, expected: String) {
        #expect(message(json) == expected)
    }

    @Test func allProblemsAreReportedTogether() {
        #expect(message(#"{"to": ["bad"], "subject": ""}"#)
            == "to[0]: `bad` is not a valid email address; subject: is required; html: at least one of html or text is required")
    }

    @Test func recipientLimit() {
        let many = (0..<51).map { "\"u\($0)@example.com\"" }.joined(separator: ",")
        #expect(message(#"{"to": [\#(many)], "subject": "s", "text": "t"}"#)
            == "to: at most 50 recipients (to, cc and bcc together) per message")
    }
}
