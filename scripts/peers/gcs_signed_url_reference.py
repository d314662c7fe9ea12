"""Reference V4 signed URLs (GOOG4-RSA-SHA256) from google-cloud-storage, for the GCS signing
test to compare byte for byte (RSASSA-PKCS1-v1_5 is deterministic, so equal inputs give equal
signatures).

Usage: gcs_signed_url_reference.py KEY_FILE
Reads a JSON list of cases on stdin, each {"endpoint", "bucket", "key", "method", "expires",
"time" (YYYYMMDDTHHMMSSZ), "content_type" (optional)}, and prints one URL per line. The
resource is encoded as google-cloud-storage's Blob does it (quote with "/~" safe).
"""
import datetime
import json
import sys
from urllib.parse import quote

from google.cloud.storage._signing import generate_signed_url_v4
from google.oauth2 import service_account

credentials = service_account.Credentials.from_service_account_file(sys.argv[1])
for case in json.load(sys.stdin):
    resource = "/" + case["bucket"] + "/" + quote(case["key"], safe="/~")
    print(generate_signed_url_v4(
        credentials, resource, expiration=datetime.timedelta(seconds=case["expires"]),
        api_access_endpoint=case["endpoint"], method=case["method"], content_type=case.get("content_type"),
        _request_timestamp=case["time"]))
