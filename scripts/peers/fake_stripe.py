"""A faithful local Stripe front for the tests: checks every call the way Stripe does, answers
Checkout and Billing Portal sessions itself, provides Idempotency-Key, and proxies the rest of
/v1 to localstripe (customers, subscriptions, …), which has none of those.

    fake_stripe.py --port 47029 --localstripe http://127.0.0.1:47028

Control plane (like fakebase.py):
  POST /_ns/<ns>                {"api_key": "sk_test_…", "inject": [{"status", "count", "path"?,
                                 "method"?, "headers"?, "body"?, "delay"?}]} — (re)creates <ns>
  GET  /_ns/<ns>/requests       every /v1 call made in <ns>: {"method", "path", "query",
                                 "headers" (lower-cased), "form": [[k, v]…], "raw"}
  POST /_ns/<ns>/subscriptions  {"customer": "cus_…"} → a live subscription made in localstripe
                                 (card, product, plan `price_…`): {"id", "price", "status"}
Vendor plane: `/ns/<ns>/v1/…`, i.e. the daemon's base_url is http://127.0.0.1:<port>/ns/<ns>.
Binds 127.0.0.1 only.
"""
import argparse
import asyncio
import json
import re

import stripe
from aiohttp import ClientSession, web

from fake_stripe_sessions import create_checkout_session, create_portal_session
from stripe_wire import (FormError, decode_form, dumps, error, form_pairs, injected_error,
                         mask_key, random_id)

# Stricter than Stripe, on purpose: Stripe falls back to the account's default version when the
# header is missing, which would let a daemon that forgot its version pin pass every test.
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z_]+)?$")
NO_KEY = ("You did not provide an API key. You need to provide your API key in the Authorization "
          "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
          "https://stripe.com/docs/api#authentication for details, or we can help at "
          "https://support.stripe.com/.")
IDEMPOTENCY_MISMATCH = ("Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with. Try using a key other than '{}' if you meant "
                        "to execute a different request.")
IN_FLIGHT = ("There is currently another in-progress request using this Idempotent Key (that "
             "probably means you submitted twice, and the other request is still going through): "
             "'{}'. Please try again later.")
# Responses Stripe does not save under an idempotency key: the request failed validation, auth,
# rate limiting or concurrency before the endpoint started executing (docs: idempotent_requests).
NOT_SAVED = {400, 401, 409, 429}


class Namespace:
    def __init__(self, config):
        self.api_key = config.get("api_key")
        self.inject = [dict(entry) for entry in config.get("inject", [])]
        self.requests = []
        self.idempotency = {}   # key → (fingerprint, status, headers, body bytes)
        self.in_flight = set()  # keys whose first request is still running
        self.sessions = {}      # checkout session id → object
        self.portal_configuration = random_id("bpc_", 24)

    def next_injection(self, method, path):
        """The first injection still counting down whose optional path/method filters match."""
        for entry in self.inject:
            if entry.get("count", 1) <= 0:
                continue
            if entry.get("path") not in (None, path) or entry.get("method") not in (None, method):
                continue
            entry["count"] = entry.get("count", 1) - 1
            return entry
        return None


class FakeStripe:
    def __init__(self, localstripe):
        self.localstripe = localstripe.rstrip("/")
        self.namespaces = {}
        self.http = None

    # -- plumbing ---------------------------------------------------------------------------

    def answer(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else dumps(body)
        reply = web.Response(status=status, body=data, content_type="application/json")
        reply.headers["Request-Id"] = random_id("req_", 14)
        for name, value in (headers or {}).items():
            reply.headers[name] = str(value)
        return reply

    async def lookup(self, ns, path):
        """GET <path> on localstripe with the namespace's key: parsed JSON, or None if not 200."""
        async with self.http.get(self.localstripe + path,
                                 headers={"Authorization": f"Bearer {ns.api_key}"}) as resp:
            return await resp.json(content_type=None) if resp.status == 200 else None

    async def proxy(self, request, path_and_query, raw):
        headers = {name: request.headers[name] for name in ("Authorization", "Content-Type")
                   if name in request.headers}
        async with self.http.request(request.method, self.localstripe + path_and_query,
                                     data=raw or None, headers=headers) as resp:
            body = await resp.read()
            try:
                json.loads(body)
            except ValueError:
                if resp.status in (404, 405):  # aiohttp's plain-text answer: localstripe lacks the route
                    path = path_and_query.split("?")[0]
                    return error(404, f"Unrecognized request URL ({request.method}: {path}). Please see "
                                      "https://stripe.com/docs or we can help at https://support.stripe.com/.")
                # localstripe crashed (e.g. an unknown parameter on a subscription update raises
                # TypeError there): answer as Stripe does for its own failures.
                return error(resp.status, "An unknown error occurred", "api_error")
            return resp.status, body

    # -- control plane ----------------------------------------------------------------------

    async def control_create(self, request):
        self.namespaces[request.match_info["ns"]] = Namespace(await request.json())
        return web.json_response({"ok": True})

    async def control_requests(self, request):
        ns = self.namespaces.get(request.match_info["ns"])
        if ns is None:
            return web.json_response({"error": "unknown namespace"}, status=404)
        return web.json_response(ns.requests)

    async def control_subscription(self, request):
        ns = self.namespaces.get(request.match_info["ns"])
        if ns is None:
            return web.json_response({"error": "unknown namespace"}, status=404)
        customer = (await request.json()).get("customer")
        try:
            made = await asyncio.to_thread(self.make_subscription, ns.api_key, customer)
        except stripe.StripeError as failure:
            return web.json_response({"error": str(failure)}, status=400)
        return web.json_response(made)

    def make_subscription(self, api_key, customer):
        """With the official SDK against localstripe directly (so it stays out of the request
        log): a Visa card as the customer's default, a product, a monthly plan whose id is a
        `price_…` id (Stripe plans are prices), and an active subscription to it."""
        client = stripe.StripeClient(api_key, base_addresses={"api": self.localstripe})
        card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer})
        client.v1.customers.update(customer, {"invoice_settings": {"default_payment_method": card.id}})
        product = client.v1.products.create({"name": "Sidecar test plan"})
        plan = client.v1.plans.create({"id": random_id("price_", 24), "amount": 1000,
                                       "currency": "usd", "interval": "month",
                                       "product": product.id})
        sub = client.v1.subscriptions.create({"customer": customer, "items": [{"plan": plan.id}]})
        return {"id": sub.id, "price": plan.id, "status": sub.status}

    # -- vendor plane -----------------------------------------------------------------------

    async def vendor(self, request):
        ns = self.namespaces.get(request.match_info["ns"])
        tail = request.raw_path.split("/", 3)[3]  # "/ns/<ns>/<tail>": raw, query included
        path_and_query = "/" + tail
        path = path_and_query.split("?")[0]
        raw = await request.read()
        if ns is None or not path.startswith("/v1/"):
            return self.answer(*error(404, f"Unrecognized request URL ({request.method}: {path})."))
        pairs = form_pairs(raw)
        ns.requests.append({
            "method": request.method, "path": path, "query": request.query_string,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "form": pairs, "raw": raw.decode("utf-8", "replace")})

        injection = ns.next_injection(request.method, path)
        if injection:
            await asyncio.sleep(injection.get("delay", 0))
            if injection.get("status"):
                return self.answer(injection["status"],
                                   injection.get("body") or injected_error(injection["status"]),
                                   injection.get("headers"))

        refused = self.refuse(request, ns, raw)
        if refused:
            return self.answer(*refused[:2], refused[2] if len(refused) > 2 else None)

        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        fingerprint = (request.method, path_and_query, raw)
        if key is not None:
            if key in ns.in_flight:
                return self.answer(*error(409, IN_FLIGHT.format(key), "idempotency_error"))
            saved = ns.idempotency.get(key)
            if saved is not None:
                if saved[0] != fingerprint:
                    return self.answer(*error(400, IDEMPOTENCY_MISMATCH.format(key), "idempotency_error"))
                return self.answer(saved[1], saved[3], dict(saved[2], **{"Idempotent-Replayed": "true"}))
            ns.in_flight.add(key)
        try:
            status, body = await self.route(request, ns, path, path_and_query, raw, pairs)
        finally:
            ns.in_flight.discard(key)
        headers = {"Stripe-Version": request.headers["Stripe-Version"]}
        if key is not None:
            headers["Idempotency-Key"] = key
        reply = self.answer(status, body, headers)
        if key is not None and status not in NOT_SAVED:
            headers["Request-Id"] = reply.headers["Request-Id"]  # a replay repeats the original
            ns.idempotency[key] = (fingerprint, status, headers, reply.body)
        return reply

    def refuse(self, request, ns, raw):
        """Stripe's own checks before any endpoint runs: key, then version, then body type."""
        auth = request.headers.get("Authorization", "")
        if not auth:
            return (*error(401, NO_KEY), {"WWW-Authenticate": 'Basic realm="Stripe"'})
        if not auth.startswith("Bearer ") or auth[len("Bearer "):] != ns.api_key:
            given = auth.split(" ", 1)[-1]
            return (*error(401, f"Invalid API Key provided: {mask_key(given)}"),
                    {"WWW-Authenticate": 'Basic realm="Stripe"'})
        version = request.headers.get("Stripe-Version")
        if version is None:
            return error(400, "Missing Stripe-Version header: this test fake requires every "
                              "request to pin an API version (Stripe would use the account default).")
        if not VERSION.match(version):
            return error(400, f"Invalid Stripe API version: {version}")
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if request.method == "POST" and raw and content_type != "application/x-www-form-urlencoded":
            return error(400, f"Invalid request: unsupported Content-Type {content_type or '(none)'}. "
                              "If error persists and you need assistance, please contact "
                              "support@stripe.com.")
        return None

    async def route(self, request, ns, path, path_and_query, raw, pairs):
        method = request.method
        if path in ("/v1/checkout/sessions", "/v1/billing_portal/sessions") and method == "POST":
            try:
                params = decode_form(pairs)
            except FormError as bad:
                return error(400, f"Invalid parameter: {bad.key}", param=bad.key)
            params.pop("expand", None)  # accepted; nothing the fake returns is expandable
            lookup = lambda p: self.lookup(ns, p)  # noqa: E731
            if path == "/v1/checkout/sessions":
                status, body = await create_checkout_session(params, lookup)
                if status == 200:
                    ns.sessions[body["id"]] = body
                return status, body
            return await create_portal_session(params, lookup, ns.portal_configuration)
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)
        if match and method == "GET":
            session = ns.sessions.get(match.group(1))
            if session is None:
                return error(404, f"No such checkout.session: '{match.group(1)}'",
                             code="resource_missing", param="session")
            return 200, session
        return await self.proxy(request, path_and_query, raw)

    def app(self):
        async def start(_app):
            self.http = ClientSession()

        async def stop(_app):
            await self.http.close()

        app = web.Application()
        app.on_startup.append(start)
        app.on_cleanup.append(stop)
        app.router.add_post("/_ns/{ns}", self.control_create)
        app.router.add_get("/_ns/{ns}/requests", self.control_requests)
        app.router.add_post("/_ns/{ns}/subscriptions", self.control_subscription)
        app.router.add_route("*", "/ns/{ns}/{tail:.*}", self.vendor)
        return app


def main():
    parser = argparse.ArgumentParser(description="fake Stripe front over localstripe, for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--localstripe", required=True, help="e.g. http://127.0.0.1:47028")
    args = parser.parse_args()
    web.run_app(FakeStripe(args.localstripe).app(), host="127.0.0.1", port=args.port,
                print=None, access_log=None)


if __name__ == "__main__":
    main()
