"""Checks that docs/openapi.yaml describes every route the server registers.

Usage: check_openapi_routes.py OPENAPI_FILE SOURCES_DIR

Reads `router.get("/path")`-style registrations from the server's Swift sources and fails when
one of them (method and path) is missing from the OpenAPI description.
"""
import pathlib
import re
import sys

import yaml

openapi = yaml.safe_load(pathlib.Path(sys.argv[1]).read_text())
documented = {
    (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
    for path, operations in openapi.get("paths", {}).items()
    for method in operations
    if method in {"get", "post", "put", "delete", "patch"}
}
pattern = re.compile(r'router\.(get|post|put|delete|patch)\("([^"]+)"')
registered = set()
for source in pathlib.Path(sys.argv[2]).rglob("*.swift"):
    for method, path in pattern.findall(source.read_text()):
        registered.add((method.upper(), re.sub(r":[A-Za-z_]+", "{}", path)))

# The webhook listener's paths are documented under the same paths object.
missing = sorted(registered - documented)
if missing:
    for method, path in missing:
        print(f"not in the OpenAPI description: {method} {path}", file=sys.stderr)
    sys.exit(1)
print(f"{len(registered)} registered routes, all documented ({len(documented)} operations in the description)")
