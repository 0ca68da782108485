"""Where a first and a warm invocation spend their instructions: the function built with symbols (cargo
profile `profiling`: release, `strip = false`, line tables) under the Lambda emulator, run through
`valgrind --tool=callgrind`, counting only inside the handler (`--toggle-collect=*handler::dispatch*`),
against the plain-HTTP stand-in. Instructions, not seconds: the same figures whatever else the machine
does. Two runs: one invocation (the first, after init and the warm-up), then `--warm + 1` invocations;
a warm one is their difference over `--warm`. Prints one table of inclusive costs by cost centre.

    cargo build --profile profiling -p connect-references && cargo build --release -p connect-local
    python bench/profile.py --target "$CARGO_TARGET_DIR" [--warm 100] [--env NAME=VALUE ...]

Needs valgrind (Debian's package) and callgrind_annotate (with it)."""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Subject, free_port  # noqa: E402

# Cost centres by the functions that enter them: callgrind's inclusive cost of the outermost matching
# function, or, for an interceptor ("each hook"), the sum over its hooks (separate calls, none inside another).
CENTRES = [
    ("the handler (everything counted)", r"connect_references::inbound::handler::dispatch"),
    ("the SDK call (`references_page`)", r"SdkConnect as connect_references::use_case::ConnectApi>::references_page"),
    ("SigV4 signing (`sign`)", r"aws_sigv4::http_request::sign::sign\b"),
    ("… deriving the signing key", r"aws_sigv4::sign::v4::generate_signing_key"),
    ("the user-agent interceptor", r"UserAgentInterceptor as .*modify_before_signing"),
    ("the orchestrator applying its configuration", r"aws_smithy_runtime::client::orchestrator::apply_configuration"),
    ("deserialising Connect's answer", r"ListContactReferencesResponseDeserializer as"),
    ("identity: the cache and the credentials", r"LazyCache as .*ResolveCachedIdentity>::resolve_cached_identity"),
    ("endpoint: resolving", r"DefaultResolver as .*ResolveEndpoint>::resolve_endpoint"),
    ("endpoint: applying to the request", r"aws_smithy_runtime::client::orchestrator::endpoints::apply_endpoint"),
    ("the SDK's metrics interceptor (no-op meter)", r"aws_smithy_runtime::client::metrics::MetricsInterceptor", "each hook"),
    ("the clock-skew interceptor", r"ServiceClockSkewInterceptor as", "each hook"),
    ("stalled-stream protection", r"StalledStreamProtectionInterceptor as", "each hook"),
    ("writing the event's log line (`Output::line`)", r"connect_references::telemetry::logging::Output::line"),
]


def profile(binary, invocations, stand_in_url, env, out):
    """Runs `invocations` under callgrind; returns callgrind_annotate's inclusive table as text."""
    subject = Subject("profiled", ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                   "--toggle-collect=*handler::dispatch*", str(binary)], extra_env=env)
    subject.start(stand_in_url)
    try:
        for _ in range(invocations):
            subject.invoke()
        valgrind = subject.function_pid()
        os.kill(valgrind, signal.SIGTERM)  # callgrind writes its counts as the process ends
        for _ in range(600):
            if Path(out).exists() and not Path(f"/proc/{valgrind}").exists():
                break
            time.sleep(0.1)
    finally:
        subject.stop()
    return subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                          capture_output=True, text=True, check=True).stdout


def costs(annotated):
    """Each cost centre's inclusive instructions: the largest line matching it (the outermost caller)."""
    lines = [(int(m.group(1).replace(",", "")), m.group(2)) for m in
             (re.match(r"\s*([\d,]+) \([^)]*\)\s+\S*?:?(.*)", line) for line in annotated.splitlines()) if m]
    found = {}
    for label, pattern, *how in CENTRES:
        if how == ["each hook"]:  # a function's own entry ends with its object file in brackets
            found[label] = sum(count for count, name in lines if re.search(pattern, name) and name.endswith("]"))
        else:
            found[label] = max((count for count, name in lines if re.search(pattern, name)), default=0)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default=str(Path(__file__).resolve().parents[1] / "target"))
    parser.add_argument("--warm", type=int, default=100)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the function")
    args = parser.parse_args()
    target = Path(args.target)
    env = dict(item.split("=", 1) for item in args.env)
    port = free_port()
    stand_in = subprocess.Popen([str(target / "release" / "connect-local"), "--port", str(port)], stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            binary = target / "profiling" / "connect-references"
            first = costs(profile(binary, 1, f"http://127.0.0.1:{port}", env, f"{scratch}/first.out"))
            many = costs(profile(binary, args.warm + 1, f"http://127.0.0.1:{port}", env, f"{scratch}/many.out"))
    finally:
        stand_in.kill()
    whole_first, whole_many = first[CENTRES[0][0]], many[CENTRES[0][0]]
    whole_warm = (whole_many - whole_first) / args.warm
    print(f"Instructions inside the handler ({binary}; {args.warm} warm invocations; env {env or 'default'}):\n")
    print("| cost centre | first invocation | share | a warm one | share |")
    print("|---|---|---|---|---|")
    for label, *_ in CENTRES:
        warm = (many[label] - first[label]) / args.warm
        print(f"| {label} | {first[label]:,} | {first[label] / whole_first:.1%} | {warm:,.0f} | {warm / whole_warm:.1%} |")


if __name__ == "__main__":
    main()
