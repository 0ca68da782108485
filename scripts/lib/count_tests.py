"""Counts the tests a log shows as passed and failed: cargo's "test result:" lines and unittest's
"Ran N tests" with its "FAILED (failures=F, errors=E)" line. Prints "<label>: P passed, F failed" and exits
non-zero when anything failed or nothing ran."""

import re
import sys


def count(text):
    passed = failed = 0
    for ok_or_failed, p, f in re.findall(r"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed", text, re.M):
        passed, failed = passed + int(p), failed + int(f)
    for ran, outcome in re.findall(r"^Ran (\d+) tests? in [^\n]*\n+(OK[^\n]*|FAILED \([^)]*\))", text, re.M):
        broken = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", outcome))
        passed, failed = passed + int(ran) - broken, failed + broken
    return passed, failed


def main():
    path, label = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", errors="replace") as log:
        passed, failed = count(log.read())
    print(f"{label}: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
