"""Prepares ministack for the storage tests: an IAM user with an access key (ministack checks
signatures only for keys made through its IAM API), and the buckets the tests use.

Usage: s3_setup.py ENDPOINT BUCKET[@REGION] [BUCKET[@REGION]…]
A bucket's home region defaults to us-east-1; R2-style buckets live in region `auto` (ministack
answers a request signed for another region than the bucket's with 301 PermanentRedirect).
Prints `ACCESS_KEY_ID SECRET_ACCESS_KEY` on one line.
"""
import sys

import boto3
from botocore.config import Config

endpoint, buckets = sys.argv[1], sys.argv[2:]
root = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
iam = boto3.client("iam", **root)
try:
    iam.create_user(UserName="sidecar-test")
except iam.exceptions.EntityAlreadyExistsException:
    pass
iam.attach_user_policy(UserName="sidecar-test", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
key = iam.create_access_key(UserName="sidecar-test")["AccessKey"]
for spec in buckets:
    bucket, _, region = spec.partition("@")
    region = region or "us-east-1"
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}), **{**root, "region_name": region})
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **location)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
print(key["AccessKeyId"], key["SecretAccessKey"])
