"""The agent panel's publisher: a CloudFormation custom resource (template.yaml, PanelFiles) that puts
the built panel (this package's site/ folder) and a config.json made from the stack's values into the
panel's bucket, and removes every object of the bucket when the resource is deleted, so that
CloudFormation can delete the bucket.

Create and Update write every file (and delete what an earlier build left that this one does not
have); Delete empties the bucket. The answer goes to CloudFormation's pre-signed ResponseURL."""

import json
import mimetypes
import os
import urllib.request

import boto3

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
CONFIG = "config.json"
# Every file is revalidated by browsers (and kept at most CloudFront's minimum TTL, 1 s): a new build
# or a new config.json reaches agents at once.
CACHE_CONTROL = "no-cache"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
         ".map": "application/json", ".txt": "text/plain; charset=utf-8"}


def site_files(root=None):
    """{key: path} of the built panel's files, config.json excluded (the stack writes its own)."""
    root = root or SITE
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            key = os.path.relpath(path, root).replace(os.sep, "/")
            if key != CONFIG:
                files[key] = path
    return files


def content_type(key):
    extension = os.path.splitext(key)[1].lower()
    return TYPES.get(extension) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def panel_config(properties):
    """config.json from the resource's Config: CloudFormation passes strings only, so contactInitial
    becomes a boolean, and an empty hostOrigin is left out."""
    config = json.loads(json.dumps(properties["Config"]))
    config["contactInitial"] = str(config.get("contactInitial", "false")).lower() == "true"
    if not config.get("hostOrigin"):
        config.pop("hostOrigin", None)
    return config


def keys_in(s3, bucket):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


def delete(s3, bucket, keys):
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})


def publish(s3, bucket, properties, root=None):
    files = site_files(root)
    if "index.html" not in files:
        raise RuntimeError("the agent panel was not built into this package: run scripts/build-panel, "
                           "then sam build and sam deploy again")
    for key, path in sorted(files.items()):
        with open(path, "rb") as body:
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type(key),
                          CacheControl=CACHE_CONTROL)
    s3.put_object(Bucket=bucket, Key=CONFIG, Body=json.dumps(panel_config(properties)).encode(),
                  ContentType="application/json", CacheControl=CACHE_CONTROL)
    stale = [key for key in keys_in(s3, bucket) if key not in files and key != CONFIG]
    delete(s3, bucket, stale)
    return sorted([*files, CONFIG])


def answer(event, status, reason="", data=None):
    body = json.dumps({
        "Status": status, "Reason": reason[:1000] or status,
        "PhysicalResourceId": event.get("PhysicalResourceId") or f"{event['ResourceProperties']['Bucket']}/panel",
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": data or {},
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30):
        pass


def handler(event, context, s3=None):
    s3 = s3 or boto3.client("s3")
    bucket = event["ResourceProperties"]["Bucket"]
    try:
        if event["RequestType"] == "Delete":
            try:
                delete(s3, bucket, keys_in(s3, bucket))
            except s3.exceptions.NoSuchBucket:
                pass  # a create that failed before the bucket existed: nothing to empty
            answer(event, "SUCCESS")
        else:
            written = publish(s3, bucket, event["ResourceProperties"])
            print(json.dumps({"message": "panel published", "bucket": bucket, "files": written}))
            answer(event, "SUCCESS", data={"Files": str(len(written))})
    except Exception as failure:  # every failure becomes CloudFormation's FAILED, with its reason
        print(json.dumps({"message": "panel not published", "error": repr(failure)}))
        answer(event, "FAILED", reason=f"{type(failure).__name__}: {failure}")
