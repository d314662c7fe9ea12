"""Looks into an S3 bucket on ministack with boto3, independently of the daemon.

Usage: s3_inspect.py ENDPOINT REGION ACCESS_KEY_ID SECRET BUCKET uploads
Prints the number of multipart uploads still in progress in BUCKET.
"""
import sys

import boto3
from botocore.config import Config

endpoint, region, access_key, secret, bucket, what = sys.argv[1:7]
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key, aws_secret_access_key=secret,
    config=Config(s3={"addressing_style": "path"}))
if what == "uploads":
    print(len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])))
else:
    sys.exit(f"unknown query {what}")
