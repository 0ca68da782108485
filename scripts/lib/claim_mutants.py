"""Breaks each claim of the threat model (docs/security.md) once on purpose and checks that its tests fail.

The mutants are declared in tests/claim_mutants.json: for each, the claims it breaks, a file, an exact
`find` text (it must occur exactly once) and its `replace`, the command to run and the tests that must be
reported as failed. For each selected mutant this script works in a scratch copy of the working tree (its
files as they are, so uncommitted edits count; unchanged files keep their times, so cargo's incremental
builds stay incremental), first runs every selected command on the unmutated copy (a command that fails
there would make any mutant look killed), then applies the edit, runs the command and restores the file.
A mutant is killed only if the command fails AND every expected test is among the failed ones.

Run by scripts/claim-mutants (a long run, not part of scripts/test or CI); tests/claim_mutants_test.py
checks the file itself in CI: every claim has a mutant, every `find` occurs once, every expected test is
named in its claim's row."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "tests" / "claim_mutants.json"
# Untracked inputs some commands need, copied into the scratch tree once (never linked: `npm ci` there
# must not touch the clone's node_modules). .aws-sam/build is the sam-built function the browser tests run
# (their mutants are of the panel, which scripts/test-browser builds in the copy).
UNTRACKED_INPUTS = ("web/agent-panel/node_modules", "tests/oidc/node_modules", ".aws-sam/build")


def load(path=MUTANTS):
    return json.loads(Path(path).read_text(encoding="utf-8"))["mutants"]


def scratch_root():
    return Path(os.environ.get("TMPDIR", "/tmp")) / "connect-references-claim-mutants"


def sync_tree(source, tree):
    """Copies `source`'s files as the working tree has them (tracked ones, and new ones git does not
    ignore: a module added but not yet committed) into `tree`; files whose bytes are unchanged are left
    alone (their times too), and files no longer listed are removed."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=source,
                            check=True, capture_output=True).stdout
    files = [name for name in listed.decode().split("\0") if name]
    manifest = tree.parent / "manifest.json"
    previous = set(json.loads(manifest.read_text())) if manifest.exists() else set()
    for name in files:
        origin, copy = source / name, tree / name
        if not origin.is_file():
            continue  # deleted in the working tree, not yet committed
        data = origin.read_bytes()
        if copy.is_file() and not copy.is_symlink() and copy.read_bytes() == data:
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        if copy.is_symlink() or copy.exists():
            copy.unlink()
        shutil.copy2(origin, copy)
    for name in previous - set(files):
        (tree / name).unlink(missing_ok=True)
    manifest.write_text(json.dumps(sorted(files)))
    for name in UNTRACKED_INPUTS:
        if (source / name).is_dir() and not (tree / name).exists():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source / name, tree / name, symlinks=True)


def failed_tests(output):
    """The ids of the tests an output reports as failed: unittest's `FAIL:`/`ERROR:` lines, cargo's
    `test … FAILED`, TAP's `not ok` (node --test --test-reporter=tap)."""
    failed = set()
    for _, method, where in re.findall(r"^(FAIL|ERROR): (\w+) \(([\w.]+)\)", output, re.M):
        failed.add(where if where.endswith("." + method) else f"{where}.{method}")
    failed.update(re.findall(r"^test (\S+) \.\.\. FAILED", output, re.M))
    failed.update(title.strip() for title in re.findall(r"^\s*not ok \d+ - (.+?)(?: # .*)?$", output, re.M))
    return failed


def is_reported(expected, failed):
    return any(name == expected or name.endswith("." + expected) or name.endswith("::" + expected)
               for name in failed)


class Runner:
    def __init__(self, tree, log_dir, environment):
        self.tree, self.log_dir, self.environment = tree, log_dir, environment

    def run(self, mutant, label):
        """Runs the mutant's command in the tree; returns (exit code, output, seconds)."""
        started = time.monotonic()
        environment = dict(self.environment)
        output = ""
        if "--test" in mutant["command"] and mutant["command"][0] == "cargo":
            code, output = self.private_binary(environment)
            if code:
                return code, output, time.monotonic() - started
        process = subprocess.run(mutant["command"], cwd=self.tree / mutant.get("cwd", "."), env=environment,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        output += process.stdout
        (self.log_dir / f"{label}.log").write_text(output)
        return process.returncode, output, time.monotonic() - started

    def private_binary(self, environment):
        """The `it` tests run the function binary built from the copy, from a copy of their own: the shared
        target directory's binary is replaced by any other clone's build."""
        build = subprocess.run(["cargo", "build", "--quiet", "--bin", "connect-references"], cwd=self.tree,
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace")
        if build.returncode:
            return build.returncode, build.stdout
        binary = self.tree.parent / "bin" / "connect-references"
        binary.parent.mkdir(exist_ok=True)
        shutil.copy2(Path(environment["CARGO_TARGET_DIR"]) / "debug" / "connect-references", binary)
        environment["CONNECT_REFERENCES_BINARY"] = str(binary)
        return 0, build.stdout


def apply(tree, mutant):
    """Applies the mutant's edit; returns the file's original text (to restore)."""
    path = tree / mutant["file"]
    original = path.read_text(encoding="utf-8")
    count = original.count(mutant["find"])
    if count != 1:
        raise ValueError(f"{mutant['id']}: `find` occurs {count} times in {mutant['file']}")
    path.write_text(original.replace(mutant["find"], mutant["replace"]), encoding="utf-8")
    return original


def command_key(mutant):
    return json.dumps([mutant.get("cwd", "."), mutant["command"]])


def environment(browser):
    environment = dict(os.environ)
    setup = [str(ROOT / "scripts" / "setup")] + (["browser"] if browser else [])
    binary_dir = subprocess.run(setup, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    environment["PATH"] = f"{binary_dir}:{environment['PATH']}"
    environment["CONNECT_REFERENCES_VENV"] = str(Path(binary_dir).parent)
    # A target directory of the copy's own. Cargo names a workspace member's artefacts by its path inside
    # the workspace, not by the clone's: in a shared directory a mutated build is later taken as fresh by
    # the clone's own `cargo test`, which then runs mutated code (seen once: ten unit tests of the clone
    # failed on a mutant's connect_id.rs). The first run builds the crates once there.
    environment["CARGO_TARGET_DIR"] = os.environ.get("CLAIM_MUTANTS_TARGET_DIR", str(scratch_root() / "target"))
    environment.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environment["SAM_CLI_TELEMETRY"] = "0"
    environment.pop("CONNECT_REFERENCES_BINARY", None)
    return environment


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claim", type=int, action="append", help="only the mutants of this claim (repeatable)")
    parser.add_argument("--id", action="append", help="only the mutant with this id (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the selected mutants and stop")
    arguments = parser.parse_args(argv)
    # --claim and --id add to the selection; neither selects every mutant.
    chosen = lambda m: set(m["claims"]) & set(arguments.claim or ()) or m["id"] in (arguments.id or ())
    mutants = [m for m in load() if chosen(m) or not (arguments.claim or arguments.id)]
    if not mutants:
        parser.error("no mutant selected")
    if arguments.list:
        for mutant in mutants:
            print(f"{','.join(map(str, mutant['claims'])):>8}  {mutant['id']}: {mutant['break']}")
        return 0

    scratch = scratch_root()
    tree, log_dir = scratch / "tree", scratch / "logs"
    tree.mkdir(parents=True, exist_ok=True)
    if log_dir.exists():
        shutil.rmtree(log_dir)
    log_dir.mkdir()
    started = time.monotonic()
    sync_tree(ROOT, tree)
    browser = any("scripts/test-browser" in m["command"] for m in mutants)
    runner = Runner(tree, log_dir, environment(browser))
    print(f"claim-mutants: {len(mutants)} mutants in {tree} (logs in {log_dir})", flush=True)

    # Each command once, unmutated: a command that already fails cannot show a mutant killed.
    baseline = {}
    for number, mutant in enumerate(mutants):
        key = command_key(mutant)
        if key in baseline:
            continue
        code, output, seconds = runner.run(mutant, f"baseline-{number:02d}-{mutant['id']}")
        baseline[key] = code == 0
        print(f"  baseline {'ok    ' if code == 0 else 'FAILED'} {seconds:6.0f} s  {' '.join(mutant['command'])}",
              flush=True)

    rows = []
    for mutant in mutants:
        claims = ",".join(map(str, mutant["claims"]))
        if not baseline[command_key(mutant)]:
            rows.append((claims, mutant["id"], "command fails unmutated", 0.0))
            continue
        try:
            original = apply(tree, mutant)
        except ValueError as error:
            rows.append((claims, mutant["id"], str(error), 0.0))
            continue
        try:
            code, output, seconds = runner.run(mutant, mutant["id"])
        finally:
            (tree / mutant["file"]).write_text(original, encoding="utf-8")
        failed = failed_tests(output)
        missing = [name for name in mutant["expect_failed"] if not is_reported(name, failed)]
        if code == 0:
            result = "SURVIVED"
        elif missing:
            result = "SURVIVED (not failed: " + ", ".join(missing) + ")"
        else:
            result = "killed"
        rows.append((claims, mutant["id"], result, seconds))
        print(f"  {result:8} {seconds:6.0f} s  claim {claims}: {mutant['id']}", flush=True)

    width = max(len(row[1]) for row in rows)
    print(f"\n{'claim':>8}  {'mutant':<{width}}  {'seconds':>7}  result")
    for claims, identifier, result, seconds in rows:
        print(f"{claims:>8}  {identifier:<{width}}  {seconds:7.0f}  {result}")
    survivors = [row for row in rows if row[2] != "killed"]
    print(f"\n{len(rows) - len(survivors)} of {len(rows)} mutants killed in {time.monotonic() - started:.0f} s")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
