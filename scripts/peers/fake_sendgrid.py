"""A faithful local stand-in for SendGrid's v3 Mail Send API (no emulator exists).

Checks each call the way SendGrid documents it: `Authorization: Bearer <key>` (401), the body
rebuilt with the official `sendgrid` library's `Mail` helpers and compared with what arrived
(so any field the library would shape differently is refused), text/plain before text/html,
each address once across personalizations, at most 1000 recipients; answers `202` with an empty
body and `X-Message-Id`, or SendGrid's `{"errors": [{"message", "field", "help"}]}`.
"""
import base64
import hashlib
import json
import uuid

from sendgrid.helpers.mail import (Attachment, Bcc, Category, Cc, Content, CustomArg, Disposition, FileContent,
                                   FileName, FileType, From, Header, Mail, Personalization, ReplyTo, Subject, To)

from fakebase import FakeVendor, main


def error(field, message):
    return {"errors": [{"message": message, "field": field, "help": None}]}


def rebuild(body):
    """The same mail built with SendGrid's own library."""
    mail = Mail()
    mail.from_email = From(body["from"]["email"], body["from"].get("name"))
    if "subject" in body:
        mail.subject = Subject(body["subject"])
    for entry in body["personalizations"]:
        p = Personalization()
        for to in entry["to"]:
            p.add_to(To(to["email"], to.get("name")))
        for cc in entry.get("cc", []):
            p.add_cc(Cc(cc["email"], cc.get("name")))
        for bcc in entry.get("bcc", []):
            p.add_bcc(Bcc(bcc["email"], bcc.get("name")))
        if "subject" in entry:
            p.subject = entry["subject"]
        mail.add_personalization(p)
    for content in body.get("content", []):
        mail.add_content(Content(content["type"], content["value"]))
    for a in body.get("attachments", []):
        mail.add_attachment(Attachment(FileContent(a["content"]), FileName(a["filename"]),
                                       FileType(a.get("type")), Disposition(a.get("disposition"))))
    for name, value in body.get("headers", {}).items():
        mail.add_header(Header(name, value))
    for category in body.get("categories", []):
        mail.add_category(Category(category))
    for name, value in body.get("custom_args", {}).items():
        mail.add_custom_arg(CustomArg(name, value))
    if "reply_to" in body:
        mail.reply_to = ReplyTo(body["reply_to"]["email"], body["reply_to"].get("name"))
    if "reply_to_list" in body:
        mail.reply_to_list = [ReplyTo(r["email"], r.get("name")) for r in body["reply_to_list"]]
    return mail.get()


def canonical(mail):
    mail = dict(mail)
    for field in ("attachments", "categories", "personalizations"):
        if field in mail:
            mail[field] = sorted(mail[field], key=lambda item: json.dumps(item, sort_keys=True))
    return mail


def formatted(address):
    return f'{address["name"]} <{address["email"]}>' if address.get("name") else address["email"]


class FakeSendGrid(FakeVendor):
    name = "sendgrid"

    def error_body(self, status, message):
        return error(None, message)

    def check(self, body):
        if not isinstance(body, dict):
            return error(None, "Bad Request")
        for field in ("personalizations", "from", "content"):
            if not body.get(field):
                return error(field, f"The {field} field is required.")
        contents = [c.get("type") for c in body["content"]]
        if "text/html" in contents and "text/plain" in contents and contents.index("text/plain") > contents.index("text/html"):
            return error("content", "If present, text/plain content must be first, followed by any other content.")
        seen, recipients = set(), 0
        for index, p in enumerate(body["personalizations"]):
            if not p.get("to"):
                return error(f"personalizations.{index}.to", "The to array is required for all personalization objects.")
            for kind in ("to", "cc", "bcc"):
                for address in p.get(kind, []):
                    recipients += 1
                    if address["email"].lower() in seen:
                        return error(f"personalizations.{index}.{kind}",
                                     "Each email address in the personalization block should be unique.")
                    seen.add(address["email"].lower())
            if "subject" not in p and "subject" not in body:
                return error("subject", "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.")
        if recipients > 1000:
            return error("personalizations", "The total number of recipients must be less than or equal to 1000.")
        try:
            reference = rebuild(body)
        except (KeyError, TypeError, ValueError) as exc:
            return error(None, f"Bad Request: {exc}")
        # The library inserts attachments, categories and personalizations at the front: their
        # order carries no meaning.
        if canonical(reference) != canonical(body):
            return error(None, f"The body differs from what the sendgrid library builds: {reference}")
        return None

    def handle(self, ns, method, path, headers, body):
        if headers.get("authorization") != f"Bearer {ns.api_key}":
            return 401, {}, error(None, "The provided authorization grant is invalid, expired, or revoked")
        if method != "POST" or path != "/v3/mail/send":
            return 404, {}, error(None, "not found")
        problem = self.check(body)
        if problem:
            return 400, {}, problem
        message_id = uuid.uuid4().hex[:22]
        contents = {c["type"]: c["value"] for c in body["content"]}
        with ns.lock:
            for p in body["personalizations"]:
                ns.messages.append({
                    "id": message_id,
                    "from": formatted(body["from"]),
                    "to": [formatted(a) for a in p["to"]], "cc": [formatted(a) for a in p.get("cc", [])],
                    "bcc": [formatted(a) for a in p.get("bcc", [])],
                    "reply_to": [formatted(body["reply_to"])] if "reply_to" in body
                    else [formatted(a) for a in body.get("reply_to_list", [])],
                    "subject": p.get("subject", body.get("subject")),
                    "text": contents.get("text/plain"), "html": contents.get("text/html"),
                    "attachments": [{"filename": a["filename"], "content_type": a.get("type"),
                                     "sha256": hashlib.sha256(base64.b64decode(a["content"])).hexdigest()}
                                    for a in body.get("attachments", [])],
                    "headers": body.get("headers", {}), "tags": body.get("custom_args", {}),
                })
        return 202, {"X-Message-Id": message_id}, None


if __name__ == "__main__":
    main(FakeSendGrid())
