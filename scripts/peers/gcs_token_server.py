"""A stand-in for Google's OAuth token endpoint, for the GCS storage tests.

Usage: gcs_token_server.py PORT KEY_FILE

At start it makes a service-account RSA key pair and writes the service-account JSON key file
to KEY_FILE, with `token_uri` pointing here. `POST /token` takes the JWT-bearer grant and
verifies the assertion with the account's public key (RS256, `iss`, `aud`, `scope`, `exp` at
most an hour after `iat`); a good one gets an access token. `GET /stats` answers how many tokens
were issued, so a test can see that the daemon caches them.
"""
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

port, key_file = int(sys.argv[1]), sys.argv[2]
token_uri = f"http://127.0.0.1:{port}/token"
email = "sidecar-test@sidecar-test.iam.gserviceaccount.com"
private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
public_key = private_key.public_key()
key_id = secrets.token_hex(8)
with open(key_file, "w") as handle:
    json.dump({
        "type": "service_account", "project_id": "sidecar-test", "private_key_id": key_id,
        "private_key": private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
        "client_email": email, "client_id": "1", "token_uri": token_uri,
    }, handle)
issued = []


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/stats":
            return self.answer(200, {"issued": len(issued)})
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        if self.path != "/token":
            return self.answer(404, {"error": "not_found"})
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return self.answer(400, {"error": "unsupported_grant_type"})
        try:
            assertion = form["assertion"][0]
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, public_key, algorithms=["RS256"], audience=token_uri, issuer=email,
                                options={"require": ["iss", "aud", "iat", "exp", "scope"]})
            if header.get("kid") != key_id or claims["exp"] - claims["iat"] > 3600:
                raise jwt.InvalidTokenError("kid or lifetime")
            if "devstorage" not in claims["scope"] and "cloud-platform" not in claims["scope"]:
                raise jwt.InvalidTokenError("scope")
        except (KeyError, jwt.InvalidTokenError) as error:
            return self.answer(400, {"error": "invalid_grant", "error_description": str(error)})
        token = "ya29." + secrets.token_urlsafe(24)
        issued.append(token)
        self.answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
