"""An SMTP submission peer on aiosmtpd: STARTTLS required and implicit TLS, AUTH required after TLS.

Usage: smtp_server.py --starttls-port P --implicit-port Q --control-port C --cert-dir DIR

Writes a self-signed certificate for `localhost` to DIR/smtp-cert.pem (the daemon trusts it
through `email.smtp.ca_file`). Each test registers a namespace over HTTP (`POST /_ns/<ns>` with
`{"password": …, "inject": [{"reply": "451 4.3.0 try again"}, …]}`) and authenticates as user `<ns>`; messages
are kept per namespace and served parsed by Python's `email` package at `GET /_ns/<ns>/messages`
(the shape every email peer reports) and raw at `GET /_ns/<ns>/requests`.
"""
import argparse
import datetime
import email
import email.policy
import hashlib
import json
import os
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NAMESPACES = {}
LOCK = threading.Lock()


def make_certificate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "smtp-cert.pem"), os.path.join(directory, "smtp-key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    if not isinstance(auth_data, LoginPassword):
        return AuthResult(success=False, handled=False)
    user, password = auth_data.login.decode(), auth_data.password.decode()
    ns = NAMESPACES.get(user)
    if ns is None or ns["password"] != password:
        return AuthResult(success=False, handled=False)
    ns["auth_mechanisms"].append(mechanism)
    return AuthResult(success=True, auth_data=user)


def normalise(raw, mail_from, rcpt_tos):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    to = [str(a) for a in msg["To"].addresses] if msg["To"] else []
    cc = [str(a) for a in msg["Cc"].addresses] if msg["Cc"] else []
    reply_to = [str(a) for a in msg["Reply-To"].addresses] if msg["Reply-To"] else []
    visible = {a.addr_spec.lower() for h in ("To", "Cc") if msg[h] for a in msg[h].addresses}
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    standard = {"from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
                "content-type", "content-transfer-encoding", "x-sidecar-tag"}
    return {
        "from": str(msg["From"].addresses[0]), "to": to, "cc": cc,
        "bcc": [r for r in rcpt_tos if r.lower() not in visible],
        "reply_to": reply_to, "subject": str(msg["Subject"]),
        "text": plain.get_content().replace("\r\n", "\n") if plain else None,
        "html": html.get_content().replace("\r\n", "\n") if html else None,
        "attachments": [{"filename": part.get_filename(), "content_type": part.get_content_type(),
                         "sha256": hashlib.sha256(part.get_payload(decode=True)).hexdigest()}
                        for part in msg.iter_attachments()],
        "headers": {k: str(v) for k, v in msg.items() if k.lower() not in standard},
        "tags": dict(str(v).split("=", 1) for v in msg.get_all("X-Sidecar-Tag", [])),
        "envelope_from": mail_from, "bcc_header_present": msg["Bcc"] is not None,
        "message_id": msg["Message-ID"], "date": msg["Date"],
    }


class Handler:
    async def handle_DATA(self, server, session, envelope):
        user = session.auth_data
        ns = NAMESPACES.get(user)
        if ns is None:
            return "530 5.7.0 Authentication required"
        with LOCK:
            ns["requests"].append({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                                   "mail_options": envelope.mail_options, "raw": envelope.original_content.decode("utf-8", "replace"),
                                   "tls": session.ssl is not None, "auth_mechanisms": list(ns["auth_mechanisms"]),
                                   "session": id(session)})
            if ns["inject"]:
                return ns["inject"].pop(0)
        ns["messages"].append(normalise(envelope.original_content, envelope.mail_from, envelope.rcpt_tos))
        return "250 2.0.0 OK queued as " + hashlib.sha1(envelope.original_content).hexdigest()[:12]


class Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        parts = self.path.split("/")
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if len(parts) == 3 and parts[1] == "_ns":
            with LOCK:
                inject = [e["reply"] if isinstance(e, dict) else e for e in body.get("inject", [])]
                NAMESPACES[parts[2]] = {"password": body.get("password", body.get("api_key", "")), "inject": inject,
                                        "messages": [], "requests": [], "auth_mechanisms": []}
            return self.reply(200, {"ok": True})
        self.reply(404, {"error": "not found"})

    def do_GET(self):
        parts = self.path.split("/")
        if len(parts) == 4 and parts[1] == "_ns" and parts[2] in NAMESPACES and parts[3] in ("messages", "requests"):
            with LOCK:
                return self.reply(200, NAMESPACES[parts[2]][parts[3]])
        self.reply(404, {"error": "not found"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starttls-port", type=int, required=True)
    parser.add_argument("--implicit-port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--cert-dir", required=True)
    args = parser.parse_args()
    context = make_certificate(args.cert_dir)
    common = dict(hostname="127.0.0.1", auth_required=True, authenticator=authenticator,
                  server_hostname="localhost", data_size_limit=60 * 1024 * 1024)
    starttls = Controller(Handler(), port=args.starttls_port, tls_context=context, require_starttls=True,
                          auth_require_tls=True, **common)
    # With implicit TLS the whole session is encrypted; aiosmtpd's auth_require_tls only knows STARTTLS.
    implicit = Controller(Handler(), port=args.implicit_port, ssl_context=context, auth_require_tls=False, **common)
    starttls.start()
    implicit.start()
    server = ThreadingHTTPServer(("127.0.0.1", args.control_port), Control)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
