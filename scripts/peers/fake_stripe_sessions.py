"""Checkout Sessions and Billing Portal Sessions for the fake Stripe front (localstripe has neither).

Validated as https://docs.stripe.com/api/checkout/sessions/create and
https://docs.stripe.com/api/customer_portal/sessions/create describe them, with Stripe's error
texts, and answered with Stripe's object shapes. `lookup(path)` is a coroutine the server passes
in: GET <path> on localstripe → parsed JSON or None on 404 (customers and plans live there).

Prices: localstripe has no /v1/prices. A Stripe plan id is also a valid price id, so a
`line_items[i][price]` that names a localstripe plan is priced from it; any other `price_…` id is
taken to exist (amount 0) except ids starting `price_missing`, which Stripe reports missing — so
tests can name prices freely and still provoke `No such price`.
"""
import time
from urllib.parse import quote

from stripe_wire import error, missing_param, no_such, random_id, unknown_param

CHECKOUT_PARAMS = {
    "adaptive_pricing", "after_expiration", "allow_promotion_codes", "automatic_tax",
    "billing_address_collection", "branding_settings", "cancel_url", "client_reference_id",
    "consent_collection", "currency", "custom_fields", "custom_text", "customer",
    "customer_account", "customer_creation", "customer_email", "customer_update", "discounts",
    "excluded_payment_method_types", "expand", "expires_at", "invoice_creation", "line_items",
    "locale", "metadata", "mode", "name_collection", "optional_items", "origin_context",
    "payment_intent_data", "payment_method_collection", "payment_method_configuration",
    "payment_method_data", "payment_method_options", "payment_method_types", "permissions",
    "phone_number_collection", "redirect_on_completion", "return_url",
    "saved_payment_method_options", "setup_intent_data", "shipping_address_collection",
    "shipping_options", "submit_type", "subscription_data", "success_url", "tax_id_collection",
    "ui_mode", "wallet_options",
}
LINE_ITEM_PARAMS = {"price", "quantity", "price_data", "adjustable_quantity", "dynamic_tax_rates",
                    "tax_rates", "metadata"}
SUBSCRIPTION_DATA_PARAMS = {
    "metadata", "trial_period_days", "trial_end", "trial_settings", "description",
    "default_tax_rates", "application_fee_percent", "billing_cycle_anchor", "billing_mode",
    "invoice_settings", "on_behalf_of", "proration_behavior", "transfer_data",
    "pending_invoice_item_interval",
}
PORTAL_PARAMS = {"configuration", "customer", "customer_account", "expand", "flow_data", "locale",
                 "on_behalf_of", "return_url"}
DAY = 24 * 60 * 60


def _integer(value, param):
    try:
        return int(value), None
    except (TypeError, ValueError):
        return None, error(400, f"Invalid integer: {value}", param=param)


def _check_object(params, name, allowed):
    """None, or the error for a non-object value or an unknown key under `name`."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        return error(400, "Invalid object", param=name)
    for key in value:
        if key not in allowed:
            return unknown_param(f"{name}[{key}]")
    return None


async def _line_items(params, mode, lookup):
    """(subtotal, currency, error) for `line_items`."""
    items = params.get("line_items")
    if items is None or items == []:
        if mode in ("payment", "subscription"):
            return 0, None, missing_param("line_items")
        return 0, None, None
    if not isinstance(items, list):
        return 0, None, error(400, "Invalid array", param="line_items")
    subtotal, currency = 0, None
    for index, item in enumerate(items):
        where = f"line_items[{index}]"
        if not isinstance(item, dict):
            return 0, None, error(400, "Invalid object", param=where)
        for key in item:
            if key not in LINE_ITEM_PARAMS:
                return 0, None, unknown_param(f"{where}[{key}]")
        quantity, problem = _integer(item.get("quantity", "1"), f"{where}[quantity]")
        if problem:
            return 0, None, problem
        if quantity < 1:
            return 0, None, error(400, "This value must be greater than or equal to 1.",
                                  param=f"{where}[quantity]")
        price, data = item.get("price"), item.get("price_data")
        if (price is None) == (data is None):
            return 0, None, error(400, f"You must specify either `price` or `price_data` in {where}.",
                                  param=where)
        if price is not None:
            plan = await lookup(f"/v1/plans/{quote(price, safe='')}") if isinstance(price, str) else None
            if plan is None and (not isinstance(price, str) or not price.startswith("price_")
                                 or price.startswith("price_missing")):
                return 0, None, no_such("price", price, f"{where}[price]")
            unit, cur = (plan.get("amount") or 0, plan.get("currency")) if plan else (0, "usd")
        else:
            if not isinstance(data, dict):
                return 0, None, error(400, "Invalid object", param=f"{where}[price_data]")
            if "currency" not in data:
                return 0, None, missing_param(f"{where}[price_data][currency]")
            unit, problem = _integer(data.get("unit_amount", "0"), f"{where}[price_data][unit_amount]")
            if problem:
                return 0, None, problem
            cur = data["currency"]
        subtotal += unit * quantity
        currency = currency or cur
    return subtotal, currency, None


async def create_checkout_session(params, lookup):
    """(status, body) for POST /v1/checkout/sessions; the body is the stored session on 200."""
    for key in params:
        if key not in CHECKOUT_PARAMS:
            return unknown_param(key)
    mode = params.get("mode")
    if mode is None:
        return missing_param("mode")
    if mode not in ("payment", "setup", "subscription"):
        return error(400, "Invalid mode: must be one of payment, setup, or subscription", param="mode")
    ui_mode = params.get("ui_mode", "hosted")
    if ui_mode not in ("hosted", "embedded", "custom"):
        return error(400, "Invalid ui_mode: must be one of custom, embedded, or hosted", param="ui_mode")
    if ui_mode == "hosted" and not params.get("success_url"):
        return missing_param("success_url")
    for name, allowed in (("subscription_data", SUBSCRIPTION_DATA_PARAMS), ("metadata", None),
                          ("payment_intent_data", None)):
        if allowed is None:
            value = params.get(name)
            if value is not None and not isinstance(value, dict):
                return error(400, "Invalid object", param=name)
        elif (problem := _check_object(params, name, allowed)):
            return problem
    if "customer" in params and "customer_email" in params:
        return error(400, "You may only specify one of these parameters: customer, customer_email.")
    customer = params.get("customer")
    if customer is not None and not isinstance(customer, str):
        return error(400, "Invalid string", param="customer")
    if customer is not None and await lookup(f"/v1/customers/{quote(customer, safe='')}") is None:
        return no_such("customer", customer, "customer")
    if "allow_promotion_codes" in params and params["allow_promotion_codes"] not in ("true", "false"):
        return error(400, f"Invalid boolean: {params['allow_promotion_codes']}", param="allow_promotion_codes")
    now = int(time.time())
    expires_at = now + DAY
    if "expires_at" in params:
        expires_at, problem = _integer(params["expires_at"], "expires_at")
        if problem:
            return problem
        if not now + 30 * 60 <= expires_at <= now + DAY:
            return error(400, "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                              "from Checkout Session creation.", param="expires_at")
    subtotal, currency, problem = await _line_items(params, mode, lookup)
    if problem:
        return problem
    session_id = random_id("cs_test_", 58)
    email = params.get("customer_email")
    return 200, {
        "id": session_id, "object": "checkout.session",
        "adaptive_pricing": {"enabled": False}, "after_expiration": None,
        "allow_promotion_codes": {"true": True, "false": False}.get(params.get("allow_promotion_codes")),
        "amount_subtotal": subtotal if mode != "setup" else None,
        "amount_total": subtotal if mode != "setup" else None,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": params.get("billing_address_collection"),
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": None, "collected_information": None, "consent": None,
        "consent_collection": None, "created": now,
        "currency": currency if mode != "setup" else params.get("currency"),
        "currency_conversion": None, "custom_fields": [],
        "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                        "terms_of_service_acceptance": None},
        "customer": customer,
        "customer_creation": None if customer or mode == "subscription" else "if_required",
        "customer_details": {"email": email, "address": None, "name": None, "phone": None,
                             "tax_exempt": "none", "tax_ids": None} if email else None,
        "customer_email": email, "discounts": [], "expires_at": expires_at, "invoice": None,
        "invoice_creation": {"enabled": False, "invoice_data": {
            "account_tax_ids": None, "custom_fields": None, "description": None, "footer": None,
            "issuer": None, "metadata": {}, "rendering_options": None}} if mode == "payment" else None,
        "livemode": False, "locale": params.get("locale"),
        "metadata": params.get("metadata") or {}, "mode": mode, "origin_context": None,
        "payment_intent": None, "payment_link": None,
        "payment_method_collection": "always" if mode != "payment" else "if_required",
        "payment_method_configuration_details": None, "payment_method_options": {},
        "payment_method_types": ["card"], "payment_status":
            "no_payment_required" if mode == "setup" else "unpaid",
        "permissions": None, "phone_number_collection": {"enabled": False},
        "recovered_from": None, "saved_payment_method_options": None, "setup_intent": None,
        "shipping_address_collection": None, "shipping_cost": None, "shipping_options": [],
        "status": "open", "submit_type": None, "subscription": None,
        "success_url": params.get("success_url"),  # verbatim: `{CHECKOUT_SESSION_ID}` survives
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": ui_mode,
        "url": f"https://checkout.stripe.com/c/pay/{session_id}" if ui_mode == "hosted" else None,
        "wallet_options": None,
    }


async def create_portal_session(params, lookup, configuration):
    """(status, body) for POST /v1/billing_portal/sessions."""
    for key in params:
        if key not in PORTAL_PARAMS:
            return unknown_param(key)
    customer = params.get("customer")
    if not customer:
        return missing_param("customer")
    if not isinstance(customer, str):
        return error(400, "Invalid string", param="customer")
    if await lookup(f"/v1/customers/{quote(customer, safe='')}") is None:
        return no_such("customer", customer, "customer")
    return 200, {
        "id": random_id("bps_", 24), "object": "billing_portal.session",
        "configuration": params.get("configuration") or configuration,
        "created": int(time.time()), "customer": customer, "customer_account": None,
        "flow": None, "livemode": False, "locale": params.get("locale"),
        "on_behalf_of": params.get("on_behalf_of"), "return_url": params.get("return_url"),
        "url": "https://billing.stripe.com/p/session/" + random_id("test_", 48),
    }
