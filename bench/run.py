"""Measures, in one run and side by side under the Lambda Runtime Interface Emulator on loopback, with the
local Connect stand-in answering instantly:

  1. this function's release build,
  2. a minimal lambda_http hello world built with the same profile (the floor),
  3. the same HTTP contract in Python + boto3 under awslambdaric (the peer),

and prints cold start (spawn to first successful answer; median and p90), warm latency (p50, p99), the
function's own overhead, peak RSS and the zipped arm64 artefact size. Ratios are what count: these
machines are noisy. Run it through bench/run, which builds everything first."""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
from emulator import emulator_binary  # noqa: E402

EMULATOR = emulator_binary()
EVENT = (ROOT / "events" / "http-api-v2.json").read_bytes()
INSTANCE = "11111111-2222-3333-4444-555555555555"
CONTACT = "c0ffee00-0000-4000-8000-000000000001"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Subject:
    def __init__(self, name, command, cwd=None, extra_env=None):
        self.name, self.command, self.cwd, self.extra_env = name, command, cwd, extra_env or {}

    def start(self, stand_in_url):
        self.rie_port, api_port = free_port(), free_port()
        env = {
            "PATH": os.environ["PATH"], "HOME": tempfile.gettempdir(),
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "ENTRY_POINT": "all", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_CONNECT": stand_in_url, "AWS_LAMBDA_FUNCTION_TIMEOUT": "30",
            "AWS_LAMBDA_LOG_LEVEL": "WARN", **self.extra_env,
        }
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(EMULATOR), "--runtime-interface-emulator-address", f"127.0.0.1:{self.rie_port}",
             "--runtime-api-address", f"127.0.0.1:{api_port}", *self.command],
            cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.connection = None

    def invoke(self):
        """One invocation; returns its round trip in seconds."""
        while True:
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.rie_port, timeout=30)
                began = time.perf_counter()
                self.connection.request("POST", "/2015-03-31/functions/function/invocations", EVENT,
                                        {"content-type": "application/json"})
                response = self.connection.getresponse()
                body = response.read()
                took = time.perf_counter() - began
                try:
                    reply = json.loads(body)
                except ValueError:
                    # Seen twice in four runs on 4 Dec, during a cold start, and not since: say what came back.
                    raise RuntimeError(f"{self.name}: the emulator answered {response.status} {body[:300]!r}") from None
                assert reply.get("statusCode") == 200, reply
                return took
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                self.connection = None
                time.sleep(0.0005)

    def cold_start(self, stand_in_url):
        self.start(stand_in_url)
        self.invoke()
        took = time.perf_counter() - self.started
        self.stop()
        return took

    def function_pid(self):
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children = (task / "children").read_text().split()
            if children:
                return int(children[0])
        raise RuntimeError("no function process")

    def peak_rss_mb(self):
        for line in Path(f"/proc/{self.function_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def cpu_seconds(self):
        """User + system CPU time the function process has used so far."""
        fields = Path(f"/proc/{self.function_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.connection:
            self.connection.close()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def stand_in_service_time(port, count):
    """The stand-in's own round trip for the same request the function makes (a persistent connection,
    as the SDK keeps one), so that it can be taken out of the function's warm latency."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/connect/aws4_request, "
                                "SignedHeaders=host, Signature=0", "x-amz-date": "20260101T000000Z"}
    path = f"/contact/references/{INSTANCE}/{CONTACT}?referenceTypes=URL&referenceTypes=ATTACHMENT"
    times = []
    for _ in range(count):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def zipped_size_mb(path):
    """The artefact's size once zipped; NaN when it is not built (the other columns do not need it)."""
    if not path.exists():
        return float("nan")
    if path.suffix != ".zip":
        with tempfile.TemporaryDirectory() as directory:
            archive = Path(directory) / "artefact.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(path, path.name)
            return archive.stat().st_size / 1e6
    return path.stat().st_size / 1e6


def compare_roots(release, stand_in_url, count):
    """Cold starts of the same binary with its root certificates from different places."""
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    variants = [
        ("hello world (floor)", [str(release / "hello-floor")], {}),
        ("as shipped (src/outbound/tls.rs: the bundle once)", [str(release / "connect-references")], {}),
        ("bundle and directory (the SDK's default)", [str(release / "connect-references")],
         {"SSL_CERT_FILE": bundle, "SSL_CERT_DIR": "/etc/ssl/certs"}),
        ("no roots at all (cannot do TLS)", [str(release / "connect-references")], {"SSL_CERT_FILE": "/dev/null"}),
    ]
    print(f"\n{count} cold starts each\n\n| roots | cold start p50 (ms) | p90 (ms) |\n|---|---|---|")
    for name, command, env in variants:
        subject = Subject(name, command, extra_env=env)
        colds = [subject.cold_start(stand_in_url) for _ in range(count)]
        print(f"| {name} | {statistics.median(colds) * 1000:.2f} | {percentile(colds, 90) * 1000:.2f} |")


def compare_profile(release, other, stand_in_url, args):
    """Cold start, warm p50 and zipped size (host build) of the release profile against another."""
    print(f"\n{args.cold} cold starts, {args.warm} warm invocations each\n")
    print("| build | cold start p50 (ms) | warm p50 (ms) | binary (MB) | zipped (MB) |\n|---|---|---|---|---|")
    for name, directory in [("release", release), (other.name, other)]:
        binary = directory / "connect-references"
        subject = Subject(name, [str(binary)])
        colds = [subject.cold_start(stand_in_url) for _ in range(args.cold)]
        subject.start(stand_in_url)
        for _ in range(50):
            subject.invoke()
        warms = [subject.invoke() for _ in range(args.warm)]
        subject.stop()
        print(f"| {name} | {statistics.median(colds) * 1000:.2f} | {statistics.median(warms) * 1000:.3f} "
              f"| {binary.stat().st_size / 1e6:.2f} | {zipped_size_mb(binary):.2f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", default=str(ROOT / "target"))
    parser.add_argument("--cold", type=int, default=15, help="fresh starts per subject")
    parser.add_argument("--warm", type=int, default=2000, help="warm invocations per subject")
    parser.add_argument("--compare-roots", action="store_true",
                        help="only compare cold starts by where the root certificates come from")
    parser.add_argument("--compare-profile", metavar="PROFILE",
                        help="only compare the release build with one built with another cargo profile")
    args = parser.parse_args()
    release, lambdas = Path(args.target) / "release", Path(args.target) / "lambda-arm64"

    port = free_port()
    stand_in = subprocess.Popen([str(release / "connect-local"), "--port", str(port)], stdout=subprocess.DEVNULL)
    stand_in_url = f"http://127.0.0.1:{port}"
    time.sleep(0.3)
    if args.compare_roots or args.compare_profile:
        try:
            if args.compare_roots:
                compare_roots(release, stand_in_url, args.cold)
            else:
                compare_profile(release, Path(args.target) / args.compare_profile, stand_in_url, args)
        finally:
            stand_in.kill()
        return
    try:
        service = stand_in_service_time(port, 1000)
        subjects = [
            (Subject("connect-references (Rust)", [str(release / "connect-references")]),
             lambdas / "connect-references" / "bootstrap.zip"),
            (Subject("hello world (lambda_http floor)", [str(release / "hello-floor")]),
             lambdas / "hello-floor" / "bootstrap.zip"),
            (Subject("Python 3 + boto3 (awslambdaric)", [sys.executable, "-m", "awslambdaric", "handler.handler"],
                     cwd=ROOT / "bench" / "python"), ROOT / "bench" / "python" / "handler.py"),
        ]
        # Interleaved, round-robin, so that the machine's noise falls on the subjects alike.
        colds = {subject.name: [] for subject, _ in subjects}
        rust_pair, peer = [s for s, _ in subjects[:2]], subjects[2][0]
        for _ in range(args.cold):
            for subject in rust_pair:
                colds[subject.name].append(subject.cold_start(stand_in_url))
        # Python's heavy starts run after, so that their teardown does not land on a Rust start.
        colds[peer.name] = [peer.cold_start(stand_in_url) for _ in range(args.cold)]
        for subject, _ in subjects:
            subject.start(stand_in_url)
            for _ in range(50):
                subject.invoke()
        warms = {subject.name: [] for subject, _ in subjects}
        cpu_before = {subject.name: subject.cpu_seconds() for subject, _ in subjects}
        print(f"warm: {args.warm} rounds", file=sys.stderr)
        for _ in range(args.warm):
            for subject, _ in subjects:
                warms[subject.name].append(subject.invoke())
        cpu = {subject.name: (subject.cpu_seconds() - cpu_before[subject.name]) / args.warm for subject, _ in subjects}
        results = {}
        for subject, artefact in subjects:
            results[subject.name] = {
                "cold_p50": statistics.median(colds[subject.name]), "cold_p90": percentile(colds[subject.name], 90),
                "warm_p50": statistics.median(warms[subject.name]), "warm_p99": percentile(warms[subject.name], 99),
                "rss": subject.peak_rss_mb(), "size": zipped_size_mb(artefact), "cpu": cpu[subject.name],
            }
            subject.stop()
    finally:
        stand_in.kill()

    rust, floor, python = (results[s.name] for s, _ in subjects)
    ms = lambda seconds: f"{seconds * 1000:.2f}"
    print(f"\nMeasured on {os.uname().machine}, {os.cpu_count()} cores; {args.cold} cold starts and "
          f"{args.warm} warm invocations per subject; stand-in service time (p50) {ms(service)} ms.\n")
    print("| subject | cold start p50 (ms) | cold start p90 (ms) | warm p50 (ms) | warm p99 (ms) | CPU per warm invocation (us) | peak RSS (MB) | zipped artefact (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {ms(r['cold_p50'])} | {ms(r['cold_p90'])} | {ms(r['warm_p50'])} | {ms(r['warm_p99'])} "
              f"| {r['cpu'] * 1e6:.0f} | {r['rss']:.1f} | {r['size']:.3f} |")
    overhead = rust["warm_p50"] - floor["warm_p50"] - service
    print(f"\n- cold start: {rust['cold_p50'] / floor['cold_p50']:.2f} x the floor (target <= 1.5), "
          f"{python['cold_p50'] / rust['cold_p50']:.1f} x faster than Python (target >= 15)")
    print(f"- warm overhead: {overhead * 1e6:.0f} us = warm p50 - floor warm p50 - stand-in service time (target <= 300 us); "
          f"warm p50 is {python['warm_p50'] / rust['warm_p50']:.2f} x faster than Python")
    print(f"- CPU per warm invocation: {rust['cpu'] * 1e6:.0f} us against the floor's {floor['cpu'] * 1e6:.0f} us "
          f"(+{(rust['cpu'] - floor['cpu']) * 1e6:.0f} us: the SDK call and our code; the stand-in runs in another process)")
    print(f"- peak RSS {rust['rss']:.1f} MB (target <= 20); zipped arm64 bootstrap {rust['size']:.2f} MB (target <= 5)")


if __name__ == "__main__":
    main()
