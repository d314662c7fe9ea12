"""Reference presigned S3 URLs from botocore, for the SigV4 tests to compare byte for byte.

Reads a JSON list of cases on stdin, each {"access_key", "secret", "region", "endpoint"
(scheme://host[:port], the bucket already in the host for virtual-hosted style), "bucket" (or
null for virtual-hosted), "key", "method", "expires", "time" (YYYYMMDDTHHMMSSZ), "content_type"
(optional, signed as a header)}, and prints one URL per line. The key is encoded the way
botocore's S3 serializer does it (quote with "/~" safe).
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for case in json.load(sys.stdin):
    path = quote(case["key"], safe="/~")
    if case.get("bucket"):
        path = quote(case["bucket"], safe="") + "/" + path
    url = case["endpoint"] + "/" + path
    headers = {"Content-Type": case["content_type"]} if case.get("content_type") else {}
    request = AWSRequest(method=case["method"], url=url, headers=headers)
    fixed = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
        S3SigV4QueryAuth(Credentials(case["access_key"], case["secret"]), "s3", case["region"], expires=case["expires"]).add_auth(request)
    print(request.url)
