#!/usr/bin/env python3
"""Signs test webhooks with the vendors' own Python libraries, for the Swift tests.

Reads a JSON list of cases on stdin and prints, for each, the headers the vendor would send:
  {"scheme": "stripe",   "secret": "whsec_…", "body": "…", "timestamp": 1700000000}
  {"scheme": "svix",     "secret": "whsec_…", "body": "…", "timestamp": …, "id": "msg_…"}
  {"scheme": "standard", "secret": "whsec_…", "body": "…", "timestamp": …, "id": "…"}
  {"scheme": "sendgrid", "private_key_pem": "…" | null, "body": "…", "timestamp": …}
A sendgrid case without a key makes a new P-256 key and also returns "public_key" (base64 DER
SubjectPublicKeyInfo, as SendGrid's dashboard shows it) and "private_key_pem".
"""
import base64
import json
import sys
from datetime import datetime, timezone

import standardwebhooks
import stripe
import svix
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def sign(case):
    body, ts = case["body"], int(case["timestamp"])
    when = datetime.fromtimestamp(ts, tz=timezone.utc)
    scheme = case["scheme"]
    if scheme == "stripe":
        header = stripe.WebhookSignature.generate_signature_header(body, case["secret"], timestamp=ts)
        return {"headers": {"Stripe-Signature": header}}
    if scheme == "svix":
        signature = svix.webhooks.Webhook(case["secret"]).sign(case["id"], when, body)
        return {"headers": {"svix-id": case["id"], "svix-timestamp": str(ts), "svix-signature": signature}}
    if scheme == "standard":
        signature = standardwebhooks.webhooks.Webhook(case["secret"]).sign(case["id"], when, body)
        return {"headers": {"webhook-id": case["id"], "webhook-timestamp": str(ts), "webhook-signature": signature}}
    if scheme == "sendgrid":
        pem = case.get("private_key_pem")
        key = (serialization.load_pem_private_key(pem.encode(), password=None) if pem
               else ec.generate_private_key(ec.SECP256R1()))
        signature = key.sign((str(ts) + body).encode(), ec.ECDSA(hashes.SHA256()))
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return {
            "headers": {
                "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": str(ts),
            },
            "public_key": base64.b64encode(public).decode(),
            "private_key_pem": key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()).decode(),
        }
    raise SystemExit(f"unknown scheme {scheme}")


if __name__ == "__main__":
    json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
