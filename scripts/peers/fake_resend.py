"""A faithful local stand-in for Resend's email API (no emulator exists).

Checks each call the way Resend documents it: `Authorization: Bearer <key>` (401 missing,
403 wrong), the body validated against the Resend SDK's own `SendParams` TypedDict with unknown
fields forbidden (422 `validation_error`), `Idempotency-Key` replay and conflict (409), batch of at
most 100 without attachments, `x-batch-validation: permissive`. Answers with Resend's shapes.
"""
import base64
import hashlib
import json
import uuid

import resend
from pydantic import ConfigDict, TypeAdapter, ValidationError

from fakebase import FakeVendor, main

for typed in (resend.Emails.SendParams, resend.Attachment, resend.Tag):
    typed.__pydantic_config__ = ConfigDict(extra="forbid")
SEND_PARAMS = TypeAdapter(resend.Emails.SendParams)


def as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def normalise(body):
    return {
        "from": body.get("from"), "to": as_list(body.get("to")), "cc": as_list(body.get("cc")),
        "bcc": as_list(body.get("bcc")), "reply_to": as_list(body.get("reply_to")),
        "subject": body.get("subject"), "text": body.get("text"), "html": body.get("html"),
        "attachments": [{"filename": a["filename"], "content_type": a.get("content_type"),
                         "sha256": hashlib.sha256(base64.b64decode(a["content"])).hexdigest()}
                        for a in body.get("attachments", [])],
        "headers": body.get("headers", {}),
        "tags": {t["name"]: t["value"] for t in body.get("tags", [])},
    }


class FakeResend(FakeVendor):
    name = "resend"

    def error_body(self, status, message):
        names = {401: "missing_api_key", 403: "invalid_api_key", 422: "validation_error", 429: "rate_limit_exceeded"}
        return {"statusCode": status, "message": message, "name": names.get(status, "application_error")}

    def validate(self, body):
        if not isinstance(body, dict):
            return "The request body must be a JSON object."
        try:
            SEND_PARAMS.validate_python(body)
        except ValidationError as error:
            return str(error).splitlines()[1] + ": " + error.errors()[0]["msg"]
        for field in ("from", "to", "subject"):
            if not body.get(field):
                return f"Missing `{field}` field."
        if not body.get("html") and not body.get("text"):
            return "Missing `html` or `text` field."
        if len(as_list(body["to"])) > 50:
            return "`to` can have at most 50 addresses."
        return None

    def handle(self, ns, method, path, headers, body):
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return 401, {}, self.error_body(401, "Missing API key in the authorization header")
        if auth[len("Bearer "):] != ns.api_key:
            return 403, {}, self.error_body(403, "API key is invalid")
        if method != "POST" or path not in ("/emails", "/emails/batch"):
            return 404, {}, self.error_body(404, "The requested endpoint does not exist.")

        key = headers.get("idempotency-key")
        fingerprint = hashlib.sha256(json.dumps([path, body], sort_keys=True).encode()).hexdigest()
        if key is not None:
            if not 1 <= len(key) <= 256:
                return 400, {}, {"statusCode": 400, "message": "Invalid idempotency key", "name": "invalid_idempotency_key"}
            with ns.lock:
                seen = ns.idempotency.get((path, key))
            if seen is not None:
                if seen[0] != fingerprint:
                    return 409, {}, {"statusCode": 409, "name": "invalid_idempotent_request",
                                     "message": "Same idempotency key used with a different request payload."}
                return 200, {}, seen[1]

        if path == "/emails":
            problem = self.validate(body)
            if problem:
                return 422, {}, self.error_body(422, problem)
            answer = {"id": str(uuid.uuid4())}
            with ns.lock:
                ns.messages.append(dict(normalise(body), id=answer["id"], idempotency_key=key))
        else:
            if not isinstance(body, list) or not 1 <= len(body) <= 100:
                return 422, {}, self.error_body(422, "The batch must be an array of 1 to 100 emails.")
            permissive = headers.get("x-batch-validation") == "permissive"
            problems = []
            for index, item in enumerate(body):
                problem = self.validate(item) or ("Attachments are not supported in batch." if isinstance(item, dict) and item.get("attachments") else None)
                if problem:
                    problems.append({"index": index, "message": problem})
            if problems and not permissive:
                return 422, {}, self.error_body(422, problems[0]["message"])
            failed = {p["index"] for p in problems}
            data = []
            for index, item in enumerate(body):
                if index in failed:
                    continue
                answer_id = str(uuid.uuid4())
                data.append({"id": answer_id})
                with ns.lock:
                    ns.messages.append(dict(normalise(item), id=answer_id, idempotency_key=key))
            answer = {"data": data, "errors": problems} if permissive else {"data": data}
        if key is not None:
            with ns.lock:
                ns.idempotency[(path, key)] = (fingerprint, answer)
        return 200, {}, answer


if __name__ == "__main__":
    main(FakeResend())
