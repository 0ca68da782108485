"""Connect's quota, measured (issue 17): the function against the stand-in enforcing Connect's rates
(`connect-local --connect-quotas`: GetAttachedFile 2/s burst 5, ListContactReferences and
DescribeContact 10/s), under the Lambda Runtime Interface Emulator.

  1. A contact with 20 APPROVED attachments listed by a contact flow with include=downloadUrl (the list
     route makes no links): how many links, how many
     THROTTLED, how long the answer took, how many GetAttachedFile calls Connect throttled.
  2. 50 download clicks in 10 s (one every 200 ms): how many 302, how many 429 THROTTLED, how long.

Each twice: with the function's limiter at Connect's general rate (ATTACHED_FILE_RATE=2,
ATTACHED_FILE_BURST=5, the whole quota for one environment), and with it out of the way (100/s), to show
what the limiter saves.

    python bench/quota.py [--target DIR]   # after cargo build -p connect-references -p connect-local

Not part of the tests: it takes about a minute and prints figures."""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
sys.path.insert(0, str(ROOT / "bench"))
from emulator import emulator_binary  # noqa: E402
from run import free_port  # noqa: E402

INSTANCE = "11111111-2222-3333-4444-555555555555"
CONTACT = "c0ffee00-0000-4000-8000-000000000020"
FILES = [f"QUOTA-file-{i:02}" for i in range(20)]


def wait_for(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def seed_file():
    seed = json.loads((ROOT / "connect-local" / "seed.json").read_text())
    arn = f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/file/"
    seed["instances"][INSTANCE][CONTACT] = [
        {"Attachment": {"Name": f"{f}.pdf", "Value": "v", "Status": "APPROVED", "Arn": arn + f}} for f in FILES]
    for f in FILES:
        seed["files"][INSTANCE][f] = {"name": f"{f}.pdf", "sizeInBytes": 10, "status": "APPROVED", "contact": CONTACT}
    path = Path(tempfile.mkdtemp()) / "seed.json"
    path.write_text(json.dumps(seed))
    return path


class World:
    """The stand-in with Connect's quotas and the function under the emulator."""

    def __init__(self, target, rate, burst):
        self.stand_in_port, self.rie_port, api_port = free_port(), free_port(), free_port()
        self.processes = [subprocess.Popen(
            [str(target / "connect-local"), "--port", str(self.stand_in_port), "--seed", str(seed_file()), "--connect-quotas"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
        env = {
            "PATH": os.environ["PATH"], "HOME": tempfile.gettempdir(), "AWS_REGION": "us-east-1",
            "ENTRY_POINT": "all", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_CONNECT": f"http://127.0.0.1:{self.stand_in_port}", "AWS_LAMBDA_FUNCTION_TIMEOUT": "10",
            "AWS_LAMBDA_LOG_LEVEL": "ERROR", "ENABLE_ATTACHMENT_DOWNLOADS": "true",
            "ALLOWED_INSTANCE_IDS": f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}",
            "ATTACHED_FILE_RATE": str(rate), "ATTACHED_FILE_BURST": str(burst),
        }
        self.processes.append(subprocess.Popen(
            [str(emulator_binary()), "--runtime-interface-emulator-address", f"127.0.0.1:{self.rie_port}",
             "--runtime-api-address", f"127.0.0.1:{api_port}", str(target / "connect-references")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for(self.stand_in_port)
        wait_for(self.rie_port)
        self.event = json.loads((ROOT / "events" / "http-api-v2.json").read_text())

    def http(self, path, query=""):
        event = json.loads(json.dumps(self.event))
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["rawQueryString"] = query
        event["headers"]["accept"] = "text/html"
        for key in ("pathParameters", "queryStringParameters"):
            event.pop(key, None)
        connection = http.client.HTTPConnection("127.0.0.1", self.rie_port, timeout=30)
        connection.request("POST", "/2015-03-31/functions/function/invocations", json.dumps(event))
        reply = json.loads(connection.getresponse().read())
        connection.close()
        return reply

    def flow(self, parameters):
        """A contact flow's invocation with these block parameters; its JSON answer."""
        event = json.loads((ROOT / "events" / "contact-flow.json").read_text())
        event["Details"]["Parameters"] = parameters
        connection = http.client.HTTPConnection("127.0.0.1", self.rie_port, timeout=30)
        connection.request("POST", "/2015-03-31/functions/function/invocations", json.dumps(event))
        reply = json.loads(connection.getresponse().read())
        connection.close()
        return reply

    def attached_file_requests(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stand_in_port}/_requests") as response:
            return sum(1 for r in json.loads(response.read()) if r["operation"] == "GetAttachedFile")

    def stop(self):
        for process in self.processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def measure(target, rate, burst):
    world = World(target, rate, burst)
    try:
        world.http(f"/contact/references/{INSTANCE}/{CONTACT}", "referenceTypes=URL")  # warm
        time.sleep(3)  # the stand-in's buckets refill
        began = time.perf_counter()
        # Links inside a listing are a contact flow's (the list route never makes them).
        reply = world.flow({"contactId": CONTACT, "referenceTypes": "ATTACHMENT", "include": "downloadUrl",
                            "responseFormat": "JSON", "timeoutSeconds": "8"})
        took = time.perf_counter() - began
        references = reply["data"]["references"].values()
        codes = {}
        for r in references:
            key = "link" if "downloadUrl" in r else r.get("downloadUrlError")
            codes[key] = codes.get(key, 0) + 1
        asked = world.attached_file_requests()
        print(f"  20 attachments, a flow with include=downloadUrl: answered success={reply['success']} in {took:.2f} s; "
              f"{json.dumps(codes, sort_keys=True)}; GetAttachedFile requests sent {asked}")
        time.sleep(3)
        before = world.attached_file_requests()
        statuses = {}
        began = time.perf_counter()
        for i in range(50):
            due = began + i * 0.2
            time.sleep(max(0.0, due - time.perf_counter()))
            status = world.http(f"/contact/attachments/{INSTANCE}/{CONTACT}/{FILES[i % 20]}")["statusCode"]
            statuses[status] = statuses.get(status, 0) + 1
        took = time.perf_counter() - began
        sent = world.attached_file_requests() - before
        print(f"  50 clicks in 10 s: {json.dumps(statuses, sort_keys=True)} in {took:.2f} s; "
              f"GetAttachedFile requests sent {sent}")
    finally:
        world.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    parser.add_argument("--profile", default="debug")
    args = parser.parse_args()
    target = Path(args.target) / args.profile
    for label, rate, burst in (("the function's limiter at Connect's rate (2/s, burst 5)", 2, 5),
                               ("the limiter out of the way (100/s, burst 100)", 100, 100)):
        print(label)
        measure(target, rate, burst)


if __name__ == "__main__":
    main()
