"""The same HTTP contract in Python with boto3, as a user would otherwise write it (the peer in the
benchmark). The client is created at import, as AWS recommends."""

import json
import os
import re
from urllib.parse import unquote

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

connect = boto3.client("connect")

TYPES = ["ATTACHMENT", "CONTACT_ANALYSIS", "DATE", "EMAIL", "EMAIL_MESSAGE", "EMAIL_MESSAGE_PLAIN_TEXT",
         "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED", "EMAIL_MESSAGE_REDACTED", "NUMBER", "STRING", "URL"]
MEMBERS = {"Url": "URL", "Attachment": "ATTACHMENT", "ContactAnalysis": "CONTACT_ANALYSIS", "String": "STRING",
           "Number": "NUMBER", "Date": "DATE", "Email": "EMAIL", "EmailMessage": "EMAIL_MESSAGE",
           "EmailMessageRedacted": "EMAIL_MESSAGE_REDACTED", "EmailMessagePlainText": "EMAIL_MESSAGE_PLAIN_TEXT",
           "EmailMessagePlainTextRedacted": "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED"}
ERRORS = {"InvalidParameterException": (400, "VALIDATION_ERROR"), "InvalidRequestException": (400, "VALIDATION_ERROR"),
          "AccessDeniedException": (403, "ACCESS_DENIED"), "ResourceNotFoundException": (404, "NOT_FOUND"),
          "ThrottlingException": (429, "THROTTLED"), "InternalServiceException": (502, "UPSTREAM_ERROR")}
ROUTE = re.compile(r"/contact/references/([^/]+)/([^/]+)/?$")
ARN = re.compile(r"^arn:aws[a-z-]*:connect:[^:]+:\d{12}:instance/([^/]+)$")


def respond(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json", "cache-control": "no-store"},
            "body": json.dumps(body)}


def fail(status, code, message, context):
    return respond(status, {"success": False, "error": {"code": code, "message": message,
                                                        "requestId": context.aws_request_id}})


def handler(event, context):
    params = event.get("pathParameters") or {}
    match = ROUTE.search(event.get("rawPath", ""))
    if "InstanceId" in params:
        instance, contact = params["InstanceId"], params["ContactId"]
    elif match:
        instance, contact = unquote(match.group(1)), unquote(match.group(2))
    else:
        return fail(404, "NOT_FOUND", "no such route", context)
    arn = ARN.match(instance)
    instance = arn.group(1) if arn else instance
    if not 1 <= len(instance) <= 100 or not 1 <= len(contact) <= 256:
        return fail(400, "VALIDATION_ERROR", "bad id", context)
    raw = (event.get("queryStringParameters") or {}).get("referenceTypes")
    wanted = []
    for name in (raw.split(",") if raw else TYPES):
        name = name.strip().upper()
        if name not in TYPES:
            return fail(400, "VALIDATION_ERROR", f"unknown reference type {name}", context)
        if name not in wanted:
            wanted.append(name)
    references = []
    try:
        for i in range(0, len(wanted), 6):
            reply = connect.list_contact_references(InstanceId=instance, ContactId=contact,
                                                    ReferenceTypes=wanted[i:i + 6])
            for summary in reply.get("ReferenceSummaryList", []):
                member, fields = next(iter(summary.items()))
                shaped = {"type": MEMBERS.get(member, "UNKNOWN")}
                shaped.update({k[0].lower() + k[1:]: v for k, v in fields.items()})
                references.append(shaped)
    except ClientError as error:
        status, code = ERRORS.get(error.response["Error"]["Code"], (500, "INTERNAL_ERROR"))
        return fail(status, code, "Amazon Connect refused the request", context)
    except (EndpointConnectionError, ReadTimeoutError):
        return fail(502, "UPSTREAM_ERROR", "Amazon Connect could not be reached", context)
    order = {t: i for i, t in enumerate(wanted)}
    references.sort(key=lambda r: order.get(r["type"], len(order)))
    return respond(200, {"success": True, "data": {"instanceId": instance, "contactId": contact,
                                                    "references": references, "nextToken": None}})
