"""Performance where users pay (issue 19): each subject (this function, the lambda_http floor, the Python +
boto3 peer) with the CPU Lambda would give it at a memory size, against the stand-in over HTTPS.

How Lambda's CPU is emulated. Lambda gives a function CPU in proportion to its memory (1,769 MB = one
vCPU), enforced in 20 ms windows (measured on Lambda by pwrdrvr/lambda-throttling). Here a cgroup v1
`cpu` group per run has `cpu.cfs_period_us` = 20000 and `cpu.cfs_quota_us` = 20000 x MB / 1769. The
function (not the emulator, not the client, not the stand-in) is moved into it when its init has
finished: the function talks to the Runtime API through a small proxy, which moves it at its first
`GET …/invocation/next`. ASSUMPTION (stated, not measured here): Lambda does not throttle init that way
(public 128 MB cold starts of Rust and Python, e.g. the lambda-perf project, are far too short for 7 %
of a CPU), so init runs unthrottled here too. Before anything is measured, a fixed CPU-bound loop is
timed unthrottled and at 128 MB: the run stops unless it takes about 1769/128 = 13.8 times longer.
Every group is removed at the end, also on failure.

What is measured, per subject and memory size, by the proxy (so the client's and the emulator's own
round trips are left out): init (the emulator's start of the process to its first `next`), the first
invocation (the event handed over to the answer posted: for this function and the peer it includes
the TLS handshake to the stand-in, certificate checks and the SDK's first-call work), warm p50/p99, CPU
per warm invocation (the process's user + system time over the warm invocations), and the cost of a
million warm invocations at the arm64 price.

    sudo python bench/lambda_cpu.py [--target DIR] [--warm N] [--sizes 128,256,512,1024,1769]

Needs root (cgroups), the release binaries (./bench/run builds them), and matplotlib for the chart
(installed into the venv when absent). Takes minutes: not part of the tests or CI."""

import argparse
import atexit
import http.client
import http.server
import json
import math
import os
import shutil
import signal
import socket
import socketserver
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
sys.path.insert(0, str(ROOT / "bench"))
from emulator import emulator_binary  # noqa: E402
from run import EVENT, INSTANCE, free_port, percentile  # noqa: E402

CGROUP_ROOT = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 20_000
ONE_VCPU_MB = 1769
# AWS Lambda, arm64, US East (N. Virginia): $0.0000133334 per GB-second (first 7.5 billion GB-s a month)
# and $0.20 per million requests, from aws.amazon.com/lambda/pricing as last read for docs/performance.md
# (December 2026 figures equal to the 2024 ones; not re-checked from here: no network).
PRICE_GB_SECOND = 0.0000133334
PRICE_PER_REQUEST = 0.20 / 1_000_000

GROUPS = []


def remove_groups():
    """Moves every process back to the root group and removes the groups this run made."""
    for group in list(GROUPS):
        try:
            remove_group(group)
        except FileNotFoundError:
            GROUPS.remove(group)


atexit.register(remove_groups)
for _signal in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signal, lambda *_: sys.exit(1))


class CpuGroup:
    """A cgroup v1 cpu group with Lambda's share for `mb` of memory, enforced in 20 ms windows."""

    def __init__(self, mb):
        self.mb = mb
        self.path = CGROUP_ROOT / f"connect-references-bench-{os.getpid()}-{mb}-{len(GROUPS)}"
        self.path.mkdir()
        GROUPS.append(self.path)
        (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (self.path / "cpu.cfs_quota_us").write_text(str(quota_us(mb)))

    def add(self, pid):
        (self.path / "cgroup.procs").write_text(str(pid))

    def remove(self):
        remove_group(self.path)


def remove_group(path):
    for pid in (path / "cgroup.procs").read_text().split():
        try:
            (CGROUP_ROOT / "cgroup.procs").write_text(pid)
        except OSError:
            pass
    path.rmdir()
    GROUPS.remove(path)


def quota_us(mb):
    return min(PERIOD_US, round(PERIOD_US * mb / ONE_VCPU_MB))


def busy_loop_seconds(group, iterations=3_000_000):
    """Wall time of a fixed CPU-bound loop in a child process, in `group` (None: unthrottled)."""
    loop = [sys.executable, "-c", f"x = 0\nfor i in range({iterations}): x += i * i"]
    began = time.perf_counter()
    subprocess.run(loop, check=True, preexec_fn=(lambda: group.add(os.getpid())) if group else None)
    return time.perf_counter() - began


def calibrate():
    """A fixed CPU-bound loop, unthrottled and at 128 MB: the slowdown must be about 1769/128."""

    plain = min(busy_loop_seconds(None) for _ in range(2))
    group = CpuGroup(128)
    try:
        throttled = busy_loop_seconds(group)
    finally:
        group.remove()
    expected = ONE_VCPU_MB / 128
    ratio = throttled / plain
    print(f"calibration: a CPU-bound loop took {plain * 1000:.0f} ms unthrottled and {throttled * 1000:.0f} ms "
          f"at 128 MB: {ratio:.1f} x (expected {expected:.1f} x)", file=sys.stderr)
    if not 0.75 * expected <= ratio <= 1.35 * expected:
        raise SystemExit(f"the emulation is off: {ratio:.1f} x instead of about {expected:.1f} x; not measuring")
    return plain, throttled, ratio


class TlsStandIn:
    """The stand-in behind TLS, with a certificate from a CA made for this run: what every real call to
    Connect is. A relay thread per connection; the handshake is the client's cost, as in production."""

    def __init__(self, target):
        self.dir = Path(tempfile.mkdtemp())
        self.ca = self.dir / "ca.pem"
        openssl = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=self.dir)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=connect-references bench CA", "-keyout", "ca.key", "-out", "ca.pem",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "leaf.key", "-out", "leaf.csr")
        (self.dir / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", "ext", "-out", "leaf.pem")
        self.plain_port, self.port = free_port(), free_port()
        self.process = subprocess.Popen([str(target / "connect-local"), "--port", str(self.plain_port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.dir / "leaf.pem", self.dir / "leaf.key")
        listener = socket.create_server(("127.0.0.1", self.port))
        self.listener = context.wrap_socket(listener, server_side=True)
        threading.Thread(target=self.accept, daemon=True).start()
        time.sleep(0.3)
        self.url = f"https://localhost:{self.port}"

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except (OSError, ssl.SSLError):
                continue
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.plain_port))
        # Without TCP_NODELAY the handshake's small writes meet delayed ACKs: 40 ms that are the
        # relay's, not the client's.
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def pump(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for s in (source, sink):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)

    def service_time(self, count=300):
        """p50 of a GetAttachedFile-free call (a signed-looking ListContactReferences answered 403 by the
        stand-in's signature check) over one kept-alive TLS connection: the stand-in's own time, relay
        included, as the function sees it once connected."""
        context = ssl.create_default_context(cafile=str(self.ca))
        connection = http.client.HTTPSConnection("localhost", self.port, context=context, timeout=10)
        times = []
        for _ in range(count):
            began = time.perf_counter()
            connection.request("GET", f"/contact/references/{INSTANCE}/c?referenceTypes=URL")
            connection.getresponse().read()
            times.append(time.perf_counter() - began)
        connection.close()
        return statistics.median(times)

    def stop(self):
        self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class RuntimeProxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Between the function and the emulator's Runtime API: forwards every call, times each invocation
    (event handed over to answer posted), and moves the function into its CPU group at its first `next`."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the runtime is killed mid-`next` when a run stops: nothing to report

    def __init__(self, upstream_port, on_first_next):
        self.upstream_port, self.on_first_next = upstream_port, on_first_next
        self.first_next_at = None
        self.handed_over = None
        self.durations = []
        super().__init__(("127.0.0.1", free_port()), ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self, method):
        server = self.server
        if method == "GET" and self.path.endswith("/invocation/next") and server.first_next_at is None:
            server.first_next_at = time.perf_counter()
            server.on_first_next()
        if method == "POST" and self.path.endswith("/response") and server.handed_over is not None:
            server.durations.append(time.perf_counter() - server.handed_over)
        body = self.rfile.read(int(self.headers.get("content-length") or 0)) if method == "POST" else None
        upstream = http.client.HTTPConnection("127.0.0.1", server.upstream_port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(method, self.path, body, headers)
        reply = upstream.getresponse()
        data = reply.read()
        if method == "GET" and self.path.endswith("/invocation/next"):
            server.handed_over = time.perf_counter()
        self.send_response(reply.status)
        for key, value in reply.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")


class Run:
    """One subject at one memory size: the emulator, the proxy, the function in its CPU group."""

    def __init__(self, name, command, mb, stand_in, cwd=None):
        self.name, self.mb = name, mb
        self.group = CpuGroup(mb)
        self.logs = tempfile.TemporaryFile()
        self.rie_port, api_port = free_port(), free_port()
        self.proxy = RuntimeProxy(api_port, lambda: self.group.add(self.function_pid()))
        env = {
            "PATH": os.environ["PATH"], "HOME": tempfile.gettempdir(), "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1", "ENTRY_POINT": "all", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_CONNECT": stand_in.url,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": "30", "AWS_LAMBDA_LOG_LEVEL": "WARN",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(mb),
            # This function trusts the bench's CA through SSL_CERT_FILE; boto3 through AWS_CA_BUNDLE.
            "SSL_CERT_FILE": str(stand_in.ca), "AWS_CA_BUNDLE": str(stand_in.ca),
        }
        # The function reaches the Runtime API through the proxy: `env` replaces the variable the
        # emulator sets, then execs the subject (same process id).
        wrapped = ["/usr/bin/env", f"AWS_LAMBDA_RUNTIME_API=127.0.0.1:{self.proxy.server_address[1]}", *command]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(emulator_binary()), "--runtime-interface-emulator-address", f"127.0.0.1:{self.rie_port}",
             "--runtime-api-address", f"127.0.0.1:{api_port}", *wrapped],
            cwd=cwd, env=env, stdout=self.logs, stderr=subprocess.STDOUT, start_new_session=True)
        self.connection = None

    def function_pid(self):
        for _ in range(200):
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                children = (task / "children").read_text().split()
                if children:
                    return int(children[0])
            time.sleep(0.005)
        raise RuntimeError("no function process")

    def invoke(self):
        while True:
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.rie_port, timeout=60)
                self.connection.request("POST", "/2015-03-31/functions/function/invocations", EVENT,
                                        {"content-type": "application/json"})
                raw = self.connection.getresponse().read()
                try:
                    reply = json.loads(raw)
                except ValueError:
                    self.logs.seek(0)
                    raise RuntimeError(f"{self.name}: not an answer: {raw[:200]!r}\n{self.logs.read()[-3000:].decode(errors='replace')}")
                assert reply.get("statusCode") == 200, reply
                return
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                self.connection = None
                time.sleep(0.001)

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.function_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(self, warm):
        self.invoke()
        init = self.proxy.first_next_at - self.started
        first = self.proxy.durations[0]
        for _ in range(10):
            self.invoke()
        cpu_before, count_before = self.cpu_seconds(), len(self.proxy.durations)
        for _ in range(warm):
            self.invoke()
        durations = self.proxy.durations[count_before:]
        cpu = (self.cpu_seconds() - cpu_before) / len(durations)
        p50 = statistics.median(durations)
        billed_seconds = math.ceil(p50 * 1000) / 1000
        cost = (self.mb / 1024 * billed_seconds * PRICE_GB_SECOND + PRICE_PER_REQUEST) * 1_000_000
        return {"subject": self.name, "mb": self.mb, "init": init, "first": first, "warm_p50": p50,
                "warm_p99": percentile(durations, 99), "cpu": cpu, "cost": cost}

    def stop(self):
        if self.connection:
            self.connection.close()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.proxy.shutdown()
        self.group.remove()


def chart(results, sizes, path):
    try:
        import matplotlib
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "matplotlib==3.9.2"], check=True)
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (costs, firsts) = plt.subplots(1, 2, figsize=(13, 5))
    for subject in dict.fromkeys(r["subject"] for r in results):
        rows = sorted((r for r in results if r["subject"] == subject), key=lambda r: r["mb"])
        costs.plot([r["warm_p50"] * 1000 for r in rows], [r["cost"] for r in rows], marker="o", label=subject)
        for r in rows:
            costs.annotate(f"{r['mb']} MB", (r["warm_p50"] * 1000, r["cost"]), fontsize=7,
                           textcoords="offset points", xytext=(4, 4))
        firsts.plot([r["mb"] for r in rows], [r["first"] * 1000 for r in rows], marker="o", label=subject)
    costs.set(xscale="log", xlabel="warm p50 (ms, log)", ylabel="$ per million warm invocations (arm64)",
              title="Cost against warm latency, per memory size")
    firsts.set(xscale="log", yscale="log", xlabel="memory (MB)", ylabel="first invocation after init (ms)",
               title="First invocation after a cold start (TLS to Connect)")
    firsts.set_xticks(sizes, [str(s) for s in sizes])
    for axis in (costs, firsts):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"chart: {path}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--sizes", default="128,256,512,1024,1769")
    parser.add_argument("--chart", default=str(ROOT / "docs" / "power-tuning.png"))
    parser.add_argument("--profile", default="release", help="the cargo profile whose binaries to run")
    parser.add_argument("--also", metavar="NAME=BINARY", action="append", default=[],
                        help="another build of the function to run beside the three subjects (a lever, before/after)")
    parser.add_argument("--only-rust", action="store_true", help="leave out the floor and the Python peer")
    args = parser.parse_args()
    if os.geteuid() != 0 or not (CGROUP_ROOT / "cpu.cfs_quota_us").exists():
        raise SystemExit("needs root and the cgroup v1 cpu controller at /sys/fs/cgroup/cpu")
    release = Path(args.target) / args.profile
    sizes = [int(s) for s in args.sizes.split(",")]
    calibrate()
    stand_in = TlsStandIn(release)
    service = stand_in.service_time()
    subjects = [
        ("connect-references (Rust)", [str(release / "connect-references")], None),
        ("hello world (lambda_http floor)", [str(release / "hello-floor")], None),
        ("Python 3 + boto3 (awslambdaric)", [sys.executable, "-m", "awslambdaric", "handler.handler"],
         ROOT / "bench" / "python"),
    ]
    if args.only_rust:
        subjects = subjects[:1]
    subjects += [(name, [binary], None) for name, binary in (also.split("=", 1) for also in args.also)]
    results = []
    try:
        for mb in sizes:
            for name, command, cwd in subjects:
                run = Run(name, command, mb, stand_in, cwd)
                try:
                    results.append(run.measure(args.warm))
                finally:
                    run.stop()
                r = results[-1]
                print(f"{mb} MB {name}: init {r['init'] * 1000:.1f} ms, first {r['first'] * 1000:.1f} ms, "
                      f"warm p50 {r['warm_p50'] * 1000:.2f} ms", file=sys.stderr)
    finally:
        stand_in.stop()
        remove_groups()
    ms = lambda seconds: f"{seconds * 1000:.2f}"
    print(f"\n{os.uname().machine}, {os.cpu_count()} cores; {args.warm} warm invocations per subject and size; "
          f"CPU share 20 ms x MB/1769 per 20 ms window from the first `next` on; stand-in over TLS, its own "
          f"time (p50 of a kept-alive request) {ms(service)} ms.\n")
    print("| memory (MB) | subject | init (ms) | first invocation (ms) | warm p50 (ms) | warm p99 (ms) | CPU per warm invocation (us) | $ per million warm invocations |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['mb']} | {r['subject']} | {ms(r['init'])} | {ms(r['first'])} | {ms(r['warm_p50'])} "
              f"| {ms(r['warm_p99'])} | {r['cpu'] * 1e6:.0f} | {r['cost']:.4f} |")
    for mb in sizes if not args.only_rust else []:
        at = {r["subject"]: r for r in results if r["mb"] == mb}
        rust, floor, python = (at[name] for name, _, _ in subjects[:3])
        print(f"\n{mb} MB: first invocation {rust['first'] / rust['warm_p50']:.1f} x a warm one (target <= 2); "
              f"{python['first'] / rust['first']:.1f} x faster than Python's first (target >= 15); warm p50 "
              f"{ms(rust['warm_p50'] - floor['warm_p50'] - service)} ms above the floor's plus the stand-in's own time "
              f"(target <= 1 ms); CPU per warm invocation "
              f"{rust['cpu'] / max(floor['cpu'], 1e-9):.1f} x the floor's (target <= 2)")
    if args.also or args.only_rust:
        return  # a comparison of builds: no chart, and the committed figures stay
    chart(results, sizes, args.chart)
    Path(args.chart).with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
