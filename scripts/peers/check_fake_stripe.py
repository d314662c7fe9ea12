"""Drives the fake Stripe front (fake_stripe.py, over localstripe) with Stripe's own Python SDK, so
the peer the Swift tests rely on is itself checked against the official client. Exits non-zero on
the first failed check. scripts/test.sh runs it right after starting the peers.

    check_fake_stripe.py http://127.0.0.1:47029
"""
import json
import sys
import urllib.error
import urllib.request
import uuid

import stripe

FAKE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:47029"
NS = "check-" + uuid.uuid4().hex[:8]
KEY = "sk_test_" + uuid.uuid4().hex
VERSION = "2026-10-28.endive"  # pinned, as the daemon pins its own
checks = 0


def check(condition, what):
    global checks
    if not condition:
        sys.exit(f"check_fake_stripe: FAILED: {what}")
    checks += 1


def http(method, path, body=None, headers=None):
    """(status, headers, parsed JSON) of a raw call to the fake, without the SDK."""
    data = body.encode() if isinstance(body, str) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(FAKE + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as resp:
            return resp.status, resp.headers, json.loads(resp.read())
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers, json.loads(failure.read())


def expect_error(call, cls, status, message, param=None, code=None):
    try:
        call()
    except cls as failure:
        err = failure.error
        check(failure.http_status == status, f"{message!r}: status {failure.http_status} != {status}")
        check(err.message == message, f"message {err.message!r} != {message!r}")
        check(err.param == param, f"{message!r}: param {err.param!r} != {param!r}")
        check(err.code == code, f"{message!r}: code {err.code!r} != {code!r}")
        return failure
    sys.exit(f"check_fake_stripe: FAILED: expected {cls.__name__} {message!r}")


# The SDK's module-level api_base takes any scheme and host: the namespace's plain-http URL.
stripe.api_base = f"{FAKE}/ns/{NS}"
stripe.api_key = KEY
stripe.api_version = VERSION
stripe.max_network_retries = 0  # injected failures must surface, not be retried away

check(http("POST", f"/_ns/{NS}", {"api_key": KEY})[0] == 200, "namespace registered")

# Customers are proxied to localstripe.
customer = stripe.Customer.create(email="check@example.com", name="Check")
check(customer.id.startswith("cus_") and customer.email == "check@example.com", "customer created")
other = stripe.Customer.create(email="other@example.com")

# Checkout Session in subscription mode; the success_url template must survive verbatim.
success = "https://app.example/billing/done?session={CHECKOUT_SESSION_ID}&x=1"
session = stripe.checkout.Session.create(
    mode="subscription", customer=customer.id, success_url=success,
    cancel_url="https://app.example/billing", client_reference_id="user_42",
    line_items=[{"price": "price_pro_monthly", "quantity": 2}],
    metadata={"uid": "u1"}, subscription_data={"metadata": {"uid": "u1"}},
    allow_promotion_codes=True, expand=["customer"])
check(session.object == "checkout.session" and session.id.startswith("cs_test_"), "session object and id")
check(session.success_url == success, f"success_url kept verbatim: {session.success_url}")
check(session.url == f"https://checkout.stripe.com/c/pay/{session.id}", "hosted url")
check((session.mode, session.status, session.payment_status) == ("subscription", "open", "unpaid"), "states")
check(session.customer == customer.id and session.customer_email is None, "customer")
check(session.expires_at - session.created == 86400 and session.livemode is False, "expiry 24 h, test mode")
check(session.subscription is None and session.metadata.to_dict() == {"uid": "u1"}, "subscription null, metadata")
check(stripe.checkout.Session.retrieve(session.id).success_url == success, "retrieve returns it")
expect_error(lambda: stripe.checkout.Session.retrieve("cs_test_nope"), stripe.InvalidRequestError, 404,
             "No such checkout.session: 'cs_test_nope'", "session", "resource_missing")
logged = [r for r in http("GET", f"/_ns/{NS}/requests")[2] if r["path"] == "/v1/checkout/sessions"][0]
check(["success_url", success] in logged["form"] and "%7BCHECKOUT_SESSION_ID%7D" in logged["raw"], "request log form/raw")
check(logged["headers"]["stripe-version"] == VERSION and ["line_items[0][price]", "price_pro_monthly"] in logged["form"], "log headers")

by_email = stripe.checkout.Session.create(mode="payment", customer_email="p@example.com", success_url=success,
                                          line_items=[{"price_data": {"currency": "eur", "unit_amount": 500,
                                                       "product_data": {"name": "One"}}, "quantity": 3}])
check(by_email.customer_email == "p@example.com" and by_email.amount_total == 1500 and by_email.currency == "eur", "price_data")

# Checkout validation, with Stripe's texts.
base = dict(mode="subscription", success_url=success, line_items=[{"price": "price_pro"}])
bad = stripe.InvalidRequestError
expect_error(lambda: stripe.checkout.Session.create(**base, bogus_param="x"), bad, 400,
             "Received unknown parameter: bogus_param", "bogus_param")
expect_error(lambda: stripe.checkout.Session.create(**dict(base, mode="rent")), bad, 400,
             "Invalid mode: must be one of payment, setup, or subscription", "mode")
expect_error(lambda: stripe.checkout.Session.create(mode="payment", line_items=base["line_items"]), bad, 400,
             "Missing required param: success_url.", "success_url")
expect_error(lambda: stripe.checkout.Session.create(**dict(base, line_items=[{"price": "price_missing"}])), bad, 400,
             "No such price: 'price_missing'", "line_items[0][price]", "resource_missing")
expect_error(lambda: stripe.checkout.Session.create(**dict(base, line_items=[{"price": "price_a", "quantity": 0}])),
             bad, 400, "This value must be greater than or equal to 1.", "line_items[0][quantity]")
expect_error(lambda: stripe.checkout.Session.create(**base, customer=customer.id, customer_email="a@b.c"), bad, 400,
             "You may only specify one of these parameters: customer, customer_email.")
expect_error(lambda: stripe.checkout.Session.create(**base, customer="cus_x"), bad, 400,
             "No such customer: 'cus_x'", "customer", "resource_missing")

# Billing portal.
portal = stripe.billing_portal.Session.create(customer=customer.id, return_url="https://app.example/account")
check(portal.id.startswith("bps_") and portal.object == "billing_portal.session", "portal id/object")
check(portal.url.startswith("https://billing.stripe.com/p/session/test_") and portal.configuration.startswith("bpc_"), "portal url")
check(portal.return_url == "https://app.example/account" and portal.customer == customer.id and not portal.livemode, "portal fields")
expect_error(lambda: stripe.billing_portal.Session.create(customer="cus_x"), bad, 400,
             "No such customer: 'cus_x'", "customer", "resource_missing")
expect_error(lambda: stripe.billing_portal.Session.create(customer=customer.id, flavour="x"), bad, 400,
             "Received unknown parameter: flavour", "flavour")

# Subscriptions: made by the helper in localstripe, cancelled through the fake (proxied).
first = http("POST", f"/_ns/{NS}/subscriptions", {"customer": customer.id})[2]
check(first["id"].startswith("sub_") and first["status"] == "active", f"helper subscription: {first}")
cancelled = stripe.Subscription.cancel(first["id"])
check(cancelled.status == "canceled" and cancelled.ended_at, "immediate cancel")
second = http("POST", f"/_ns/{NS}/subscriptions", {"customer": other.id})[2]
later = stripe.Subscription.modify(second["id"], cancel_at_period_end=True)
check(later.cancel_at_period_end is True and later.status == "active", "cancel at period end (localstripe)")
check(stripe.Subscription.retrieve(second["id"]).cancel_at_period_end is True, "period-end cancel stored")
priced = stripe.checkout.Session.create(**dict(base, line_items=[{"price": first["price"], "quantity": 1}]))
check(priced.amount_total == 1000 and priced.currency == "usd", "a localstripe plan prices a line item")

# Idempotency: replay (same response, header) and conflict (same key, other parameters).
key = str(uuid.uuid4())
one = stripe.Customer.create(email="idem@example.com", idempotency_key=key)
two = stripe.Customer.create(email="idem@example.com", idempotency_key=key)
check(one.id == two.id, "replay returns the first customer")
check(two.last_response.headers.get("Idempotent-Replayed") == "true", "Idempotent-Replayed header")
check(one.last_response.headers.get("Idempotent-Replayed") is None, "first answer not marked replayed")
check(one.last_response.request_id.startswith("req_"), "Request-Id header")
try:
    stripe.Customer.create(email="changed@example.com", idempotency_key=key)
    sys.exit("check_fake_stripe: FAILED: idempotency conflict not refused")
except stripe.IdempotencyError as failure:
    check(failure.http_status == 400 and failure.error.type == "idempotency_error", "conflict is idempotency_error")
    check(f"Try using a key other than '{key}'" in failure.error.message, "conflict message")
skey = str(uuid.uuid4())
s1 = stripe.checkout.Session.create(**base, idempotency_key=skey)
s2 = stripe.checkout.Session.create(**base, idempotency_key=skey)
check(s1.id == s2.id and s2.last_response.headers.get("Idempotent-Replayed") == "true", "session replay")

# Transport checks: version pin required, key masked, injected failures.
form = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/x-www-form-urlencoded"}
status, _, body = http("POST", f"/ns/{NS}/v1/customers", "email=a%40b.c", form)
check(status == 400 and body["error"]["type"] == "invalid_request_error", "missing Stripe-Version refused")
status, _, body = http("GET", f"/ns/{NS}/v1/customers", None, dict(form, **{"Stripe-Version": "latest"}))
check(status == 400 and body["error"]["message"] == "Invalid Stripe API version: latest", "bad Stripe-Version")
wrong = "sk_test_" + "9" * 20 + "WXYZ"
status, headers, body = http("GET", f"/ns/{NS}/v1/customers", None, {"Authorization": f"Bearer {wrong}", "Stripe-Version": VERSION})
check(status == 401 and body["error"]["message"] == "Invalid API Key provided: sk_test_" + "*" * 20 + "WXYZ", "401 masked")
check(headers["Request-Id"].startswith("req_"), "Request-Id on errors")
inject = [{"status": 429, "count": 1, "path": "/v1/customers", "headers": {"Stripe-Should-Retry": "false", "Retry-After": "1"}}]
check(http("POST", f"/_ns/{NS}", {"api_key": KEY, "inject": inject})[0] == 200, "namespace re-registered")
try:
    stripe.Customer.create(email="limited@example.com")
    sys.exit("check_fake_stripe: FAILED: injected 429 not seen")
except stripe.RateLimitError as failure:
    check(failure.http_status == 429 and failure.headers.get("Stripe-Should-Retry") == "false", "injected 429")
check(stripe.Customer.create(email="after@example.com").id.startswith("cus_"), "injection used up")
check(len(http("GET", f"/_ns/{NS}/requests")[2]) == 2, "re-registering resets the request log")

print(f"check_fake_stripe: all {checks} checks ok against {FAKE}")
