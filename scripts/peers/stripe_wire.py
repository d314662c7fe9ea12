"""Stripe wire helpers shared by the fake Stripe front (fake_stripe.py, fake_stripe_sessions.py).

Bracket form decoding the way Stripe's v1 API reads it, Stripe-shaped error bodies, random ids,
and API-key masking as in Stripe's own 401 message.
"""
import json
import random
import re
import string
from urllib.parse import parse_qsl

ALNUM = string.ascii_letters + string.digits


def random_id(prefix, length=24):
    return prefix + "".join(random.choice(ALNUM) for _ in range(length))


def form_pairs(raw):
    """The decoded (key, value) pairs of a form body, in order; keys are percent-decoded too."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return [[k, v] for k, v in parse_qsl(text, keep_blank_values=True)]


class FormError(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _tokens(key):
    """`a[b][0][c]` → ["a", "b", "0", "c"]; `expand[]` → ["expand", ""]. A key that is not
    well-formed brackets stays one literal token (Stripe would then call it unknown)."""
    match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
    if not match:
        return [key]
    return [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))


def decode_form(pairs):
    """Nested dicts/lists from bracket-encoded pairs, e.g. `line_items[0][price]=p` →
    {"line_items": [{"price": "p"}]}. `x[]=a&x[]=b` → {"x": ["a", "b"]}. Dicts whose keys are all
    integers become lists ordered by index (Stripe accepts indexed arrays this way). Raises
    FormError(key) for a key that mixes a scalar and a nested value."""
    root = {}
    for key, value in pairs:
        tokens = _tokens(key)
        node = root
        for depth, token in enumerate(tokens):
            last = depth == len(tokens) - 1
            if token == "":  # `[]`: append to a list at this level
                if not isinstance(node, list) or not last:
                    raise FormError(key)
                node.append(value)
                break
            if not isinstance(node, dict):
                raise FormError(key)
            if last:
                if isinstance(node.get(token), (dict, list)):
                    raise FormError(key)
                node[token] = value  # a repeated key: the last one wins
            else:
                nxt = tokens[depth + 1]
                default = [] if nxt == "" else {}
                child = node.setdefault(token, default)
                if not isinstance(child, (dict, list)) or type(child) is not type(default):
                    raise FormError(key)
                node = child
    return _listify(root)


def _listify(node):
    if isinstance(node, list):
        return [_listify(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def error(status, message, type_="invalid_request_error", code=None, param=None, **extra):
    """A Stripe error body: {"error": {"type", "message", "code"?, "param"?, "doc_url"?}}."""
    body = {"type": type_, "message": message}
    if code:
        body["code"] = code
        body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        body["param"] = param
    body.update(extra)
    return status, {"error": body}


def unknown_param(name):
    return error(400, f"Received unknown parameter: {name}", param=name)


def missing_param(name):
    return error(400, f"Missing required param: {name}.", param=name)


def no_such(kind, value, param):
    return error(400, f"No such {kind}: '{value}'", code="resource_missing", param=param)


# Default bodies for injected failures, as Stripe answers each status.
INJECTED = {
    400: ("invalid_request_error", None, "Invalid request (injected)."),
    401: ("invalid_request_error", None, "Invalid API Key provided: sk_test_****"),
    402: ("card_error", "card_declined", "Your card was declined."),
    403: ("invalid_request_error", None, "The provided key does not have the required permissions for this endpoint."),
    404: ("invalid_request_error", "resource_missing", "Unrecognized request URL."),
    409: ("invalid_request_error", "lock_timeout", "This object cannot be accessed right now because another API request or Stripe process is currently accessing it."),
    429: ("invalid_request_error", "rate_limit", "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits."),
}


def injected_error(status):
    type_, code, message = INJECTED.get(status, ("api_error", None, "An unknown error occurred"))
    return error(status, message, type_, code)[1]


def mask_key(key):
    """Stripe's masking in `Invalid API Key provided: …`: the mode prefix and the last four
    characters stay, everything between becomes `*`; the whole key is never echoed."""
    match = re.match(r"^((?:sk|rk|pk)_(?:test|live)_)(.*)$", key)
    prefix, rest = (match.group(1), match.group(2)) if match else ("", key)
    if len(rest) <= 4:
        return prefix + "*" * len(rest)
    return prefix + "*" * (len(rest) - 4) + rest[-4:]


def dumps(body):
    return json.dumps(body, indent=2).encode() + b"\n"
