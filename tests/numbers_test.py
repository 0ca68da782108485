"""Numbers in prose: each one is checked against its single source, marked as measured, or not written.

The rule, for every number in README.md, CONTRIBUTING.md and docs/*.md (CHANGELOG.md is history):
  1. tied: an entry of FACTS matches it in its words and reads the same value from its one source
     (a Rust const, template.yaml, the settings table, Connect's service model, a lockfile, a script);
  2. measured: its block (a paragraph, a list item or a table row; a table's rows also inherit the paragraph
     before the table), or its section on docs/performance.md, names the date and the command that measured it;
  3. not a quantity: fenced code, links, ids, names, paths, dates, versions, issue, claim and HTTP status
     numbers, and words quoted from others ("…"), as NOT_QUANTITIES lists them.
Any other number fails this test, naming the file, the line and the number, until it is tied, dated, or gone.
"""

import functools
import json
import re
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A number: digits with optional thousands commas and decimals, not glued to a name, a path or an id.
NUMBER = re.compile(r"(?<![\w.$/#+@…\\-])(?>\d+(?:,\d{3})*(?:\.\d+)?)(?![\w.,]\w)(?!\w)")

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
DATE = rf"\b\d{{1,2}} (?:{MONTHS})[a-z]*(?: \d{{4}})?\b|\b(?:{MONTHS})[a-z]* \d{{4}}\b"
# A command that measured something: a backticked command line.
COMMAND = r"`(?:[A-Z_]+=\S+ )*(?:\./|python|sudo|cargo|/usr/bin/time|time |bash|strace|perf|valgrind|npm|node)[^`]*`"
# HTTP statuses this API and API Gateway answer, when no unit follows (a 300 s link is a duration).
STATUSES = "200|302|303|307|400|401|403|404|405|408|409|410|429|500|501|502|503|504"

# Spans whose numbers are not quantities of this product.
NOT_QUANTITIES = [
    r"\[[^\]]*\]\([^)]*\)",  # a link's target (its text is still read)
    r"https?://\S+",  # an address
    r"\b\d+\.\d+\.\d+\.\d+\b",  # an IP address (a port after it is still read)
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8}-…",  # a UUID
    r'"[^"\n]*"|“[^”]*”',  # words quoted from others, and literal strings
    DATE,
    r"\bissues? \d+(?:[–-]\d+)?(?:(?:, | and )\d+)*",
    r"`A-Z a-z 0-9[^`]*`",  # a character class
    r"\bclaims? (?:are )?\d+(?:[–-]\d+)?(?:(?:, | and )\d+)*",
    r"^\| \d+(?:, \d+)* (?:\([^)]*\) )?\|",  # a claim's number in docs/security.md's tables
    rf"\b(?:{STATUSES})\b(?! ?(?:s|ms|µs|MB|KB|bytes|characters|references|files)\b)",
    r"\b\d+\.\d+\.\d+\b",  # a version of three parts (two-part versions are tied to their lockfile below)
    r"\bv\d+(?:\.\d+)*\b|\bpayload \d\.\d\b",  # a version
    r"U\+[0-9A-F]{4}",  # a Unicode code point
    r"`[^`]*\b(?:test_|tests/|src/|bench/)[^`]*`",  # a test's or a file's name
    r"\$\(?[A-Z_]+\)?",  # a shell variable
    r"`[^`]*` → `[^`]*`",  # an example: a name and the key it becomes
    r"^(?:#+ )?\d+\. |\bitem \d+",  # a list's or a heading's number
    r"\bPython 3\b",  # the language
    r"\b\d+[ -]cores?\b",  # the machine a measurement ran on
]

# Sections that record runs (what broke, what failed), as measured tables do.
RECORDS = {"Mutants: each claim broken once"}
# Pages of measurements, where a section that names its date and command is measured as a whole.
MEASUREMENT_PAGES = {"performance.md"}

# Phrases whose numbers are let through untied, by page: none now; a new entry needs its reason here.
NOT_YET_TIED = {}


def blocks(path):
    """The document's blocks (paragraphs, list items, table rows), each as (first line number, text, measured),
    fenced code left out. A table row is measured when it, or the paragraph just before its table, is."""
    lines = path.read_text().splitlines()
    found, current, start, fenced = [], [], 0, False
    kinds = []

    def close(kind):
        if current:
            found.append((start, " ".join(current)))
            kinds.append(kind)
            current.clear()

    kind = "paragraph"
    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            close(kind)
            fenced = not fenced
            continue
        if fenced:
            continue
        stripped = line.strip()
        if not stripped:
            close(kind)
            continue
        is_row = stripped.startswith("|")
        is_item = bool(re.match(r"(?:[-*]|\d+\.) ", stripped)) or stripped.startswith("#")
        if is_row or is_item or kind in ("row", "heading"):
            close(kind)
        if not current:
            start = number
            kind = "row" if is_row else "heading" if stripped.startswith("#") else "paragraph"
        current.append(stripped)
    close(kind)

    # On a page of measurements a section (from one `## ` heading to the next) is measured as a whole
    # when it names a date and a command.
    sections, current_section = [], 0
    for (start, text), kind in zip(found, kinds):
        if kind == "heading" and text.startswith("## "):
            current_section += 1
        sections.append(current_section)
    dated = {n for n in set(sections) if path.name in MEASUREMENT_PAGES and any(
        re.search(DATE, text) for (_, text), m in zip(found, sections) if m == n) and any(
        re.search(COMMAND, text) for (_, text), m in zip(found, sections) if m == n)}

    result, intro_measured, record = [], False, False
    for (start, text), kind, section in zip(found, kinds, sections):
        if kind == "heading":
            record = text.lstrip("# ") in RECORDS
        measured = record or section in dated or bool(re.search(DATE, text) and re.search(COMMAND, text))
        if kind == "row":
            measured = measured or intro_measured
        else:
            intro_measured = measured
        result.append((start, text, measured))
    return result


def documents():
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def numbers_in(text):
    """(span, number) of every number in a block's text that is not inside one of NOT_QUANTITIES."""
    exempt = [m.span() for pattern in NOT_QUANTITIES for m in re.finditer(pattern, text, flags=re.M)]
    for match in NUMBER.finditer(text):
        if not any(a <= match.start() and match.end() <= b for a, b in exempt):
            yield match.span(), match.group(0)


def value(text):
    return float(text.replace(",", ""))


# --- The sources: each reads one value from the one place that decides it. ---

@functools.cache
def source(path):
    return (ROOT / path).read_text()


def grep(path, pattern, group=1):
    """A number a regex finds in a file (the first match), e.g. a default in a script."""
    match = re.search(pattern, source(path), flags=re.M)
    if match is None:
        raise AssertionError(f"{path} no longer holds {pattern!r}")
    return value(match.group(group).replace("_", ""))


def rust(path, name):
    """A Rust const: an integer or float literal, a Duration (in seconds), or a range's (start, end)."""
    expr = re.search(rf"const {name}: [^=]+= ([^;]+);", source(path))
    if expr is None:
        raise AssertionError(f"{path} has no const {name}")
    expr = re.sub(r"(?<=\d)_(?=\d)", "", expr.group(1).strip())
    duration = re.fullmatch(r"Duration::from_(secs|millis)\((\d+)\)", expr)
    if duration:
        return int(duration.group(2)) / (1 if duration.group(1) == "secs" else 1000)
    bounds = re.fullmatch(r"(\d+)\.\.=(\d+)", expr)
    if bounds:
        return int(bounds.group(1)), int(bounds.group(2))
    return float(expr)


@functools.cache
def template():
    from cfnlint.decode import decode

    decoded, errors = decode(str(ROOT / "template.yaml"))
    assert not errors, errors
    return decoded


def parameter(name):
    return float(template()["Parameters"][name]["Default"])


def resource(name):
    return template()["Resources"][name]["Properties"]


def setting(name):
    """docs' view of src/domain/settings.rs: a setting's default and range (min, max)."""
    block = re.search(rf"const {name}: Setting = Setting {{(.*?)\n}};", source("src/domain/settings.rs"), re.S).group(1)
    default = re.search(r'default: Some\("([^"]+)"\)', block).group(1)
    low, high = re.search(r"Range::\w+ \{ min: ([\d.]+), max: ([\d.]+) \}", block).groups()
    return {"default": float(default), "min": float(low), "max": float(high)}


@functools.cache
def service_model():
    import botocore.loaders

    return botocore.loaders.Loader().load_service_model("connect", "service-2")


def model(shape, key):
    """A bound of a shape in Connect's service model (botocore's copy, the SDK's source)."""
    return float(service_model()["shapes"][shape][key])


@functools.cache
def template_tests():
    import template_test

    return template_test


def route_rate(method, path="/contact/references/{InstanceId}/{ContactId}"):
    return template_tests().api_routes({})[(method, path)][1]


def connect_load(operation, which=0):
    """Calls a second (which=0) or at once (which=1) the template allows on a Connect operation, every switch on."""
    tests = template_tests()
    return tests.connect_load(dict(tests.every_switch_on()))[operation][which]


def route_calls(function, method, operation):
    return float(template_tests().ROUTE_CALLS[function][method].get(operation, 0))


def recordings_routes():
    """How many routes (method and path) the recordings function serves when recordings are on."""
    routes = template_tests().api_routes({"EnableRecordings": "true", **template_tests().RECORDINGS})
    return float(sum(1 for function, _, _ in routes.values() if function == "RecordingsFunction"))


def quota(operation, which=0):
    return float(template_tests().CONNECT_QUOTAS[operation][which])


def locked(package):
    """The version of a package the lockfiles (Cargo.lock, the npm lockfiles) or scripts/setup's pins hold."""
    cargo = re.search(rf'^name = "{re.escape(package)}"\nversion = "([^"]+)"', source("Cargo.lock"), re.M)
    if cargo:
        return cargo.group(1)
    for lockfile in ("web/agent-panel/package-lock.json", "tests/oidc/package-lock.json"):
        entry = json.loads(source(lockfile))["packages"].get(f"node_modules/{package}")
        if entry:
            return entry["version"]
    pin = re.search(rf"\b{re.escape(package)}==([\d.]+)", source("scripts/setup"))
    if pin:
        return pin.group(1)
    return None


# --- The facts: a phrase of the docs, and where each number in it comes from. ---
# A fact is (pattern, {group: reader}); the readers take the match. Every match of the pattern in any
# document is checked, and every fact must match at least once (a fact whose words are gone is stale).
S = "src/use_case/mod.rs"
Q = "src/domain/query.rs"
FLOW = "src/inbound/contact_flow.rs"
FILE = "src/domain/attached_file.rs"
SDK = "src/outbound/connect_sdk.rs"
RATE = "src/domain/rate.rs"
BROWSER = "tests/browser_test.py"
LOCAL = "scripts/local"


def const(path, name, scale=1.0, index=None):
    def read(_):
        found = rust(path, name)
        return (found[index] if index is not None else found) * scale
    return read


def fixed(number):
    return lambda _: number


def alarm(m):
    return resource(m.group("alarm"))


FACTS = [
    # Ports of scripts/local, and the stand-in's links.
    (r"stand-in on `127\.0\.0\.1:(?P<p>\d+)`", {"p": lambda _: grep(LOCAL, r"CONNECT_LOCAL_PORT:-(\d+)")}),
    (r"`cargo lambda watch` on `127\.0\.0\.1:(?P<p>\d+)`", {"p": lambda _: grep(LOCAL, r"FUNCTION_PORT:-(\d+)")}),
    (r"front on `127\.0\.0\.1:(?P<p>\d+)`", {"p": lambda _: grep(LOCAL, r"\bPORT:-(\d+)")}),
    (r"`http://127\.0\.0\.1:(?P<p>\d+)/\?contactId=…`", {"p": lambda _: grep(LOCAL, r"PANEL_PORT:-(\d+)")}),
    (r"`connect-local:(?P<p>\d+)`|`http://connect-local:(?P<q>\d+)/…`",
     {"p": lambda _: grep("sam-local-env.json", r"connect-local:(\d+)"), "q": lambda _: grep("sam-local-env.json", r"connect-local:(\d+)")}),
    # The list route's inputs.
    (r"`ContactId` \| (?P<lo>\d+)–(?P<hi>\d+) ASCII letters", {"lo": lambda _: model("ContactId", "min"),
                                                              "hi": const("src/domain/connect_id.rs", "MAX_CONTACT_OR_FILE_ID_LEN")}),
    (r"is (?P<lo>\d+) to (?P<hi>\d+) of `A-Z a-z 0-9 - _`", {"lo": lambda _: model("ContactId", "min"),
                                                         "hi": const("src/domain/connect_id.rs", "MAX_CONTACT_OR_FILE_ID_LEN")}),
    (r"more than (?P<n>\d+) items → 400", {"n": const(Q, "MAX_TYPE_ITEMS")}),
    (r"`nextToken` \| optional, (?P<lo>\d+)–(?P<hi>\d+) characters", {"lo": fixed(1), "hi": const(Q, "MAX_NEXT_TOKEN_LEN")}),
    (r"quote at most (?P<n>\d+) characters", {"n": const("src/domain/error.rs", "QUOTE_LIMIT")}),
    (r"at most (?P<n>\d+) pages", {"n": const(S, "MAX_PAGES_PER_BATCH")}),
    (r"sends its timeout, (?P<t>\d+), in the deadline header\) get a (?P<b>\d+) s budget",
     {"t": lambda _: grep("src/app.rs", r"for bogus in \[0, ([\d_]+)\]"), "b": const("src/app.rs", "UNKNOWN_DEADLINE_BUDGET")}),
    # Statuses' headers.
    (r"Retry-After: (?P<n>\d+)`\)? \| (?:409|`409`)|Retry-After: (?P<r>\d+)`\): ask again|`Retry-After: (?P<a>\d+)`: ask again",
     {"n": const(FILE, "RETRY_NOT_READY_SECONDS"), "r": const(FILE, "RETRY_NOT_READY_SECONDS"), "a": const(FILE, "RETRY_NOT_READY_SECONDS")}),
    (r"\(with `Retry-After: (?P<n>\d+)`\) \| 429|`THROTTLED` \| `Retry-After: (?P<m>\d+)`",
     {"n": lambda _: grep("src/inbound/http_response.rs", r'RETRY_AFTER_SECONDS: &str = "(\d+)"'),
      "m": lambda _: grep("src/inbound/http_response.rs", r'RETRY_AFTER_SECONDS: &str = "(\d+)"')}),
    # Contact flows: the block's time limit, the answer's size.
    (r"in whole seconds: (?P<lo>\d+)–(?P<sync>\d+) \(synchronous\), up to (?P<hi>\d+) \(asynchronous\).*?\| `(?P<d>\d+)` \|$",
     {"lo": const(FLOW, "FLOW_TIMEOUT_RANGE", index=0), "hi": const(FLOW, "FLOW_TIMEOUT_RANGE", index=1),
      "sync": lambda _: grep(FLOW, r"Timeout: \d+ to (\d+) seconds \(synchronous\)"),
      "d": const(FLOW, "DEFAULT_FLOW_TIMEOUT_SECONDS")}),
    (r"may wait up to (?P<hi>\d+) s: give `timeoutSeconds` up to (?P<hi2>\d+) and the function is not cut at (?P<sync>\d+) s",
     {"hi": const(FLOW, "FLOW_TIMEOUT_RANGE", index=1), "hi2": const(FLOW, "FLOW_TIMEOUT_RANGE", index=1),
      "sync": lambda _: grep(FLOW, r"Timeout: \d+ to (\d+) seconds \(synchronous\)")}),
    (r"assumes (?P<d>\d+) s|and (?P<d2>\d+) s lets a flow|\(`?(?P<d3>\d+) s unless given\)",
     {g: const(FLOW, "DEFAULT_FLOW_TIMEOUT_SECONDS") for g in ("d", "d2", "d3")}),
    (r"(?P<m>\d+\.\d+) s (?:before that|margin)|deadline less (?P<m2>\d+\.\d+) s",
     {"m": const("src/app.rs", "DEADLINE_MARGIN"), "m2": const("src/app.rs", "DEADLINE_MARGIN")}),
    (r"Lambda timeout \((?P<t>\d+) s in the template\)|(?P<m>\d+) MB \(chosen by measurement|(?P<t2>\d+) s timeout,",
     {"t": lambda _: template()["Globals"]["Function"]["Timeout"], "t2": lambda _: template()["Globals"]["Function"]["Timeout"],
      "m": lambda _: template()["Globals"]["Function"]["MemorySize"]}),
    (r"(?:Connect's|would reach|a flow's|stay under) (?P<kb>\d+) KB", {"kb": const(FLOW, "MAX_RESPONSE_BYTES", scale=1 / 1000)}),
    (r"under (?P<b>[\d,]+) bytes, dropping|cut at (?P<b2>[\d,]+) bytes",
     {"b": const(FLOW, "MAX_RESPONSE_BYTES"), "b2": const(FLOW, "MAX_RESPONSE_BYTES")}),
    # Links: their lifetime, their cap, their pace.
    (r"`urlExpiry`(?:,| \| the links' lifetime,|) \(?(?P<lo>\d+)–(?P<hi>\d+) s(?:, default (?P<d>\d+)|, with `include` only \| `(?P<d2>\d+)`)?",
     {"lo": const(FILE, "URL_EXPIRY_RANGE", index=0), "hi": const(FILE, "URL_EXPIRY_RANGE", index=1),
      "d": const(FILE, "DEFAULT_URL_EXPIRY_SECONDS"), "d2": const(FILE, "DEFAULT_URL_EXPIRY_SECONDS")}),
    (r"`urlExpiry` at most (?P<hi>\d+) s|A link lives at most (?P<hi2>\d+) s",
     {"hi": const(FILE, "URL_EXPIRY_RANGE", index=1), "hi2": const(FILE, "URL_EXPIRY_RANGE", index=1)}),
    (r"At most \*\*(?P<n>\d+) links an answer\*\* \(`MAX_LINKS_PER_ANSWER`\), at most (?P<c>\d+) calls at once",
     {"n": const(S, "MAX_LINKS_PER_ANSWER"), "c": const(S, "CONCURRENT_LINKS")}),
    (r"beyond (?P<n>\d+) links an answer|at most (?P<n2>\d+) links, the rest",
     {"n": const(S, "MAX_LINKS_PER_ANSWER"), "n2": const(S, "MAX_LINKS_PER_ANSWER")}),
    (r"a click waits at most (?P<w>\d+) s|a click at most (?P<w2>\d+) s \(a turn (?P<ms>[\d,]+) ms away is served, (?P<over>[\d,]+) ms",
     {"w": const(S, "MAX_CLICK_WAIT"), "w2": const(S, "MAX_CLICK_WAIT"), "ms": const(S, "MAX_CLICK_WAIT", scale=1000),
      "over": lambda m: rust(S, "MAX_CLICK_WAIT") * 1000 + 1}),
    (r"spaced (?P<p>\d+) % wider", {"p": lambda _: round((rust(RATE, "SPACING") - 1) * 100, 6)}),
    (r"The `FILE_NOT_READY` wait is (?P<s>\d+) s|\((?P<s2>\d+) s for a file still scanning, (?P<t>\d+) s when throttled\)|"
     r"says (?P<t2>\d+) s, not the caller's real wait|\((?P<t3>\d+) s when unreadable, at most (?P<max>\d+) s\)",
     {"s": const(FILE, "RETRY_NOT_READY_SECONDS"), "s2": const(FILE, "RETRY_NOT_READY_SECONDS"),
      "t": lambda _: grep("src/inbound/http_response.rs", r'RETRY_AFTER_SECONDS: &str = "(\d+)"'),
      "t2": lambda _: grep("src/inbound/http_response.rs", r'RETRY_AFTER_SECONDS: &str = "(\d+)"'),
      "t3": lambda _: grep("web/agent-panel/src/panel.js", r"retryAfter \?\? (\d+), MAX_WAIT_SECONDS\)\);"),
      "max": lambda _: grep("web/agent-panel/src/panel.js", r"MAX_WAIT_SECONDS = (\d+)")}),
    (r"Each field is at most (?P<n>\d+) characters|each at most (?P<n2>\d+) characters",
     {"n": const("src/domain/caller.rs", "MAX_CALLER_FIELD_CHARS"), "n2": const("src/domain/caller.rs", "MAX_CALLER_FIELD_CHARS")}),
    (r"`RecordingId` is (?P<n>\d+) hex characters", {"n": const("src/domain/recording.rs", "RECORDING_ID_LEN")}),
    # Connect's quotas (Service Quotas defaults), as the template's tests hold the routes to them.
    (r"(?:general API default applies:|Connect's) (?P<r>\d+) requests a second(?:, burst (?P<b>\d+))?",
     {"r": lambda _: quota("GetAttachedFile"), "b": lambda _: quota("GetAttachedFile", 1)}),
    (r"(?:Connect's (?:general )?|within )(?P<r>\d+)/s,? (?:burst |and )(?P<b>\d+)",
     {"r": lambda _: quota("GetAttachedFile"), "b": lambda _: quota("GetAttachedFile", 1)}),
    (r"`ListContactReferences` and `DescribeContact` have (?P<r>\d+)/s each", {"r": lambda _: quota("ListContactReferences")}),
    (r"`?ListContactReferences`?'? (?:own )?\(?(?P<r>\d+)/s", {"r": lambda _: quota("ListContactReferences")}),
    (r"`?DescribeContact`?(?:'s)? \(?(?P<r>\d+)/s", {"r": lambda _: quota("DescribeContact")}),
    (r"first burst to (?P<r>\d+)/s", {"r": lambda _: quota("GetAttachedFile")}),
    # The panel.
    (r"The limit is (?P<kb>\d+) KB gzipped|JavaScript is at most (?P<kb2>\d+) KB gzipped",
     {"kb": lambda _: grep(BROWSER, r"BUNDLE_GZIPPED_BYTES = (\d+) \* 1024"),
      "kb2": lambda _: grep(BROWSER, r"BUNDLE_GZIPPED_BYTES = (\d+) \* 1024")}),
    (r"within (?P<ms>\d+) ms of the workspace|median is at most (?P<ms2>\d+) ms",
     {"ms": lambda _: grep(BROWSER, r"SHOWN_WITHIN_MS = (\d+)"), "ms2": lambda _: grep(BROWSER, r"SHOWN_WITHIN_MS = (\d+)")}),
    (r"waits at most (?P<s>\d+) s \(`WORKSPACE_WAIT_MS`|says so after at most (?P<s2>\d+) s",
     {"s": lambda _: grep("web/agent-panel/src/workspace.js", r"WORKSPACE_WAIT_MS = (\d+)") / 1000,
      "s2": lambda _: grep("web/agent-panel/src/workspace.js", r"WORKSPACE_WAIT_MS = (\d+)") / 1000}),
    (r"renews a token that expires within (?P<s>\d+) s", {"s": lambda _: grep("web/agent-panel/src/session.js", r"RENEW_BEFORE_SECONDS = (\d+)")}),
    (r"gzip at level (?P<l>\d+)", {"l": lambda _: grep("web/agent-panel/build.mjs", r"gzipSync\(bundle, \{ level: (\d+) \}")}),
    (r"cache a preflight for (?P<s>\d+) s", {"s": lambda _: resource("HttpApi")["CorsConfiguration"]["Fn::If"][1]["MaxAge"]}),
    # The template's parameters, alarms and routes.
    (r"`(?P<p>AttachedFileRate|AttachedFileBurst|FlowConcurrency|FlowAttachedFileRate|FlowAttachedFileBurst|RecordingsRate|RecordingsBurst)`"
     r" \(?(?:default )?(?P<v>\d+(?:\.\d+)?)", {"v": lambda m: parameter(m.group("p"))}),
    (r"`AttachedFileRate` [\d.]+/s,? \(?burst (?P<b>\d+)", {"b": lambda _: parameter("AttachedFileBurst")}),
    (r"\| `(?P<p1>\w+)`, `(?P<p2>\w+)`(?:, `(?P<p3>\w+)`)? \| `(?P<v1>[\d.]+)`, `(?P<v2>[\d.]+)`(?:, `(?P<v3>[\d.]+)`)? \|",
     {f"v{i}": (lambda i: lambda m: parameter(m.group(f"p{i}")))(i) for i in (1, 2, 3)}),
    (r"\| `LogRetentionInDays` \| `(?P<d>\d+)` \| .*? from (?P<lo>\d+) to (?P<hi>\d+);",
     {"d": lambda _: parameter("LogRetentionInDays"), "lo": lambda _: min(template()["Parameters"]["LogRetentionInDays"]["AllowedValues"]),
      "hi": lambda _: max(template()["Parameters"]["LogRetentionInDays"]["AllowedValues"])}),
    (r"`DefaultRouteSettings`, (?P<r>\d+) request a second", {"r": lambda _: resource("HttpApi")["DefaultRouteSettings"]["ThrottlingRateLimit"]}),
    (r"\| `(?P<alarm>\w+Alarm)` \|[^|]*\| ≥ (?P<t>[\d,]+)(?: ms)? (?:in|over) (?P<min>\d+) min \|",
     {"t": lambda m: alarm(m)["Threshold"],
      "min": lambda m: (alarm(m).get("Period") or alarm(m)["Metrics"][0]["MetricStat"]["Period"]) * alarm(m)["EvaluationPeriods"] / 60}),
    (r"the slowest (?P<p>\d+)% near the (?P<t>\d+) s timeout \((?P<share>\d+)%\) and at a flow block's (?P<sync>\d+) s",
     {"p": lambda _: 100 - float(resource("DurationNearTimeoutAlarm")["Metrics"][0]["MetricStat"]["Stat"][1:]),
      "t": lambda _: template()["Globals"]["Function"]["Timeout"],
      "share": lambda _: resource("DurationNearTimeoutAlarm")["Threshold"] / 10 / template()["Globals"]["Function"]["Timeout"],
      "sync": lambda _: grep(FLOW, r"Timeout: \d+ to (\d+) seconds \(synchronous\)")}),
    # The quota arithmetic of docs/deployment.md and docs/security.md, from the template and the template tests' quotas.
    (r"list `(?P<m>GET|HEAD)` (?P<r>\d+)/s × (?P<c>\d+)(?= calls| \(HEAD)",
     {"r": lambda m: route_rate(m.group("m")), "c": lambda m: route_calls("ListFunction", m.group("m"), "ListContactReferences")}),
    (r"list `(?P<m>GET|HEAD)` (?P<r>\d+)/s × (?P<c>\d+)(?= \+ list| \(only)",
     {"r": lambda m: route_rate(m.group("m")), "c": lambda m: route_calls("ListFunction", m.group("m"), "DescribeContact")}),
    (r"\((?P<g>\d+) \+ (?P<h>\d+)\) × (?P<c>\d+) = (?P<t>\d+)",
     {"g": lambda _: route_rate("GET"), "h": lambda _: route_rate("HEAD"),
      "c": lambda _: route_calls("ListFunction", "GET", "ListContactReferences"), "t": lambda _: connect_load("ListContactReferences")}),
    (r"`RecordingsRate` (?P<r>\d+)/s × (?P<c>\d+) \| (?P<l>\d+) \+ (?P<n>\d+) = (?P<t>\d+) \|",
     {"r": lambda _: parameter("RecordingsRate"), "c": lambda _: route_calls("RecordingsFunction", "GET", "DescribeContact"),
      "l": lambda _: route_rate("GET") + route_rate("HEAD"),
      "n": lambda _: recordings_routes(),
      "t": lambda _: connect_load("DescribeContact")}),
    (r"`DescribeContact`: (?P<l>\d+) \+ (?P<n>\d+) × `RecordingsBurst` (?P<b>\d+) = (?P<t>\d+)",
     {"l": lambda _: route_rate("GET") + route_rate("HEAD"), "n": lambda _: recordings_routes(), "b": lambda _: parameter("RecordingsBurst"),
      "t": lambda _: connect_load("DescribeContact", 1)}),
    (r"`DescribeContact`'s \d+/s \((?P<n>\d+) × (?P<r>\d+) \+ (?P<l>\d+) = (?P<t>\d+) would not\)",
     {"n": lambda _: recordings_routes(), "r": lambda _: parameter("RecordingsRate") + 1,
      "l": lambda _: route_rate("GET") + route_rate("HEAD"),
      "t": lambda _: recordings_routes() * (parameter("RecordingsRate") + 1) + route_rate("GET") + route_rate("HEAD")}),
    (r"its default, (?P<r>\d+), is the largest whole rate", {"r": lambda _: parameter("RecordingsRate")}),
    (r"the list's share, (?P<g>\d+) for `GET` and (?P<h>\d+) for `HEAD`", {"g": lambda _: route_rate("GET"), "h": lambda _: route_rate("HEAD")}),
    (r"`AttachedFileRate` [\d.]+/s \(burst \d+\) × (?P<c>\d+) \+ download `HEAD` × (?P<h>\d+) .*?`FlowConcurrency` (?P<fc>\d+) × "
     r"`FlowAttachedFileRate` [\d.]+/s \(burst (?P<fc2>\d+) × (?P<fb>\d+)\) \| (?P<t>[\d.]+) \(burst (?P<tb>\d+)\)",
     {"c": lambda _: route_calls("DownloadFunction", "GET", "GetAttachedFile"),
      "h": lambda _: route_calls("DownloadFunction", "HEAD", "GetAttachedFile"),
      "fc": lambda _: parameter("FlowConcurrency"), "fc2": lambda _: parameter("FlowConcurrency"),
      "fb": lambda _: parameter("FlowAttachedFileBurst"),
      "t": lambda _: connect_load("GetAttachedFile"), "tb": lambda _: connect_load("GetAttachedFile", 1)}),
    (r"At the defaults: (?P<r>\d+) \+ (?P<c>\d+) × (?P<fr>[\d.]+) = (?P<t>[\d.]+) calls a second and (?P<b>\d+) \+ (?P<c2>\d+) × "
     r"(?P<fb>\d+) = (?P<tb>\d+) at once",
     {"r": lambda _: parameter("AttachedFileRate"), "c": lambda _: parameter("FlowConcurrency"),
      "fr": lambda _: parameter("FlowAttachedFileRate"), "t": lambda _: connect_load("GetAttachedFile"),
      "b": lambda _: parameter("AttachedFileBurst"), "c2": lambda _: parameter("FlowConcurrency"),
      "fb": lambda _: parameter("FlowAttachedFileBurst"), "tb": lambda _: connect_load("GetAttachedFile", 1)}),
    (r"raise `AttachedFileRate` to (?P<r>\d+) and `AttachedFileBurst` to (?P<b>\d+)",
     {"r": lambda _: quota("GetAttachedFile"), "b": lambda _: quota("GetAttachedFile", 1)}),
    # The settings table (src/domain/settings.rs).
    (r"may make \((?P<lo>[\d.]+)–(?P<hi>\d+), default (?P<d>[\d.]+)\) and its burst \((?P<blo>\d+)–(?P<bhi>\d+), default (?P<bd>\d+)\)",
     {"lo": lambda _: setting("ATTACHED_FILE_RATE")["min"], "hi": lambda _: setting("ATTACHED_FILE_RATE")["max"],
      "d": lambda _: setting("ATTACHED_FILE_RATE")["default"], "blo": lambda _: setting("ATTACHED_FILE_BURST")["min"],
      "bhi": lambda _: setting("ATTACHED_FILE_BURST")["max"], "bd": lambda _: setting("ATTACHED_FILE_BURST")["default"]}),
    (r"over (?P<n>\d+) characters, other characters", {"n": lambda _: grep("src/telemetry/metrics.rs", r"name\.len\(\) > (\d+)")}),
    # The SDK client's retries and timeouts (src/outbound/connect_sdk.rs) and the warm-up.
    (r"retry policy \((?P<a>\d+) attempts, jittered exponential backoff from (?P<b>\d+) ms, at most (?P<m>\d+) s\), a (?P<c>\d+) s "
     r"connect timeout and a (?P<t>\d+) s per-attempt timeout",
     {"a": lambda _: grep(SDK, r"with_max_attempts\((\d+)\)"), "b": lambda _: grep(SDK, r"with_initial_backoff\(Duration::from_millis\((\d+)\)"),
      "m": lambda _: grep(SDK, r"with_max_backoff\(Duration::from_secs\((\d+)\)"),
      "c": lambda _: grep(SDK, r"connect_timeout\(Duration::from_secs\((\d+)\)"),
      "t": lambda _: grep(SDK, r"operation_attempt_timeout\(Duration::from_secs\((\d+)\)")}),
    (r"after (?P<a>\d+) attempts|a throttled (?:call retried twice|listing) is (?P<a2>\d+)(?: calls)?",
     {"a": lambda _: grep(SDK, r"with_max_attempts\((\d+)\)"), "a2": lambda _: grep(SDK, r"with_max_attempts\((\d+)\)")}),
    (r"attempt is abandoned after (?P<t>\d+) s|the SDK's (?P<t2>\d+) s attempt timeout",
     {"t": lambda _: grep(SDK, r"operation_attempt_timeout\(Duration::from_secs\((\d+)\)"),
      "t2": lambda _: grep(SDK, r"operation_attempt_timeout\(Duration::from_secs\((\d+)\)")}),
    (r"within Connect's (?P<s>\d+) s", {"s": lambda _: grep(FLOW, r"Timeout: \d+ to (\d+) seconds \(synchronous\)")}),
    (r"bounded by (?P<s>\d+) s, failures ignored|Init waits at most (?P<s2>\d+) s",
     {"s": const("src/outbound/warm_up.rs", "WARM_UP_WAIT"), "s2": const("src/outbound/warm_up.rs", "WARM_UP_WAIT")}),
    (r"the legacy hyper (?P<v>0\.14)", {"v": lambda _: 0.14 if not re.search(r'name = "hyper"\nversion = "0\.14', source("Cargo.lock")) else -1}),
    (r"\b(?P<n>\d+)-digit account", {"n": lambda _: grep("src/domain/arn.rs", r"text\.len\(\) == (\d+) && text\.bytes\(\)\.all\(\|b\| b\.is_ascii_digit")}),
    # The tests' own sizes: cases, invocations, inputs.
    (r"CI runs (?P<c>[\d,]+) cases per property \((?P<all>[\d,]+) in all\)",
     {"c": lambda _: grep("tests/it/properties.rs", r"const CASES: u32 = (\d+)"),
      "all": lambda _: grep("tests/it/properties.rs", r"const CASES: u32 = (\d+)")
      * len(re.findall(r"^    fn ", source("tests/it/properties.rs").split("proptest! {")[1].split("\n}")[0], re.M))}),
    (r"\((?P<c>[\d,]+) cases each\)", {"c": lambda _: grep("tests/it/properties.rs", r"const CASES: u32 = (\d+)")}),
    (r"ids of (?P<id>[\d,]+) characters, (?P<t>[\d,]+) `referenceTypes` values, a (?P<mb>\d+) MB body",
     {"id": lambda _: grep("tests/it/properties.rs", r'"c"\.repeat\(([\d_]+)\)'),
      "t": lambda _: grep("tests/it/properties.rs", r'"referenceTypes=URL"; ([\d_]+)\]'),
      "mb": lambda _: grep("tests/it/properties.rs", r'"x"\.repeat\(([\d_]+)\)') / 1_000_000}),
    (r"by less than (?P<mb>\d+) MB\. CI runs (?P<n>[\d,]+);",
     {"mb": lambda _: grep("tests/it/soak.rs", r"warm_peak \+ (\d+)") / 1024, "n": lambda _: grep("tests/it/soak.rs", r"DEFAULT_INVOCATIONS: usize = ([\d_]+)")}),
    (r"`readyState >= (?P<n>\d)`", {"n": lambda _: grep(BROWSER, r"m\.readyState >= (\d)")}),
    (r"`?(?P<n>\d+)`?-page limit", {"n": const(S, "MAX_PAGES_PER_BATCH")}),
    (r"measures a flow listing (?P<n>\d+) APPROVED files, every `GetAttachedFile` answered after (?P<ms>\d+) ms, under a (?P<t>\d+) s function timeout",
     {"n": lambda _: grep("tests/it/attachments.rs", r"A flow: (\d+) APPROVED files"),
      "ms": lambda _: grep("tests/it/attachments.rs", r"answered after (\d+) ms, a \d+ s function timeout"),
      "t": lambda _: grep("tests/it/attachments.rs", r"answered after \d+ ms, a (\d+) s function timeout")}),
    (r"a (?P<n>[\d,]+)-character token", {"n": lambda _: grep("tests/it/properties.rs", r'"c"\.repeat\(([\d_]+)\)')}),
    (r"`é` or (?P<n>\d+) characters", {"n": lambda _: grep("tests/it/security.rs", r'&"c"\.repeat\((\d+)\)\]')}),
]


# Versions: `<package> <version>` is checked against the lockfiles; a few names stand for a package.
VERSION = re.compile(r"(?P<pkg>[@\w][\w@/.+-]*)`?,? (?:\(|\+)?(?P<v>\d+\.\d+(?:\.\d+)?)(?![\w.])")
VERSION_ALIASES = {"SDK": "@amazon-connect/app", "sam-cli": "aws-sam-cli", "declare": "rust-version", "Rust": "rust-version",
                   "cargo": "rust-version"}


def version_of(package):
    if package == "rust-version":
        return re.search(r'rust-version = "([^"]+)"', source("Cargo.toml")).group(1)
    return locked(package)


def check_versions(text, where, errors):
    spans = []
    for m in VERSION.finditer(text):
        if text[max(0, m.start() - 7):m.start()] == "legacy ":
            continue  # a version said to be left out: FACTS checks that it is
        package = VERSION_ALIASES.get(m.group("pkg"), m.group("pkg").strip("`"))
        if len(package) < 3:
            continue  # a unit (`ms 1.5`), not a package
        held = version_of(package)
        if held is None:
            continue
        if not (held + ".").startswith(m.group("v") + "."):
            errors.append(f"{where}: {m.group(0)!r}, but the lockfile holds {package} {held}")
        spans.append(m.span("v"))
    return spans


def check_facts(text, where, errors, used):
    spans = []
    for index, (pattern, readers) in enumerate(FACTS):
        for m in re.finditer(pattern, text):
            used.add(index)
            for group, reader in readers.items():
                if m.group(group) is None:
                    continue
                expected, written = float(reader(m)), value(m.group(group))
                if abs(expected - written) > 1e-9:
                    errors.append(f"{where}: «{m.group(0)}» says {m.group(group)}; its source says {expected:g}")
                spans.append(m.span(group))
    return spans


def audit():
    """(numbers neither tied, measured nor exempt; facts whose source disagrees; indexes of the facts used)."""
    untied, errors, used = [], [], set()
    for path in documents():
        for line, text, measured in blocks(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            tied = check_facts(text, where, errors, used) + check_versions(text, where, errors)
            if measured:
                continue
            for phrase in NOT_YET_TIED.get(path.name, []):
                start = text.find(phrase)
                if start >= 0:
                    tied.append((start, start + len(phrase)))
            for span, number in numbers_in(text):
                if not any(a <= span[0] and span[1] <= b for a, b in tied):
                    untied.append(f"{where}: {number} in «{text[max(0, span[0] - 50):span[1] + 30]}»")
    return untied, errors, used


class NumbersInProseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.untied, cls.errors, cls.used = audit()

    def test_every_number_in_prose_is_tied_to_its_source_measured_or_not_a_quantity(self):
        self.assertEqual(self.untied, [], "numbers in prose with no source (tie them in FACTS, date the measurement, "
                                          "or take them out):\n" + "\n".join(self.untied))

    def test_every_tied_number_is_the_value_its_source_holds(self):
        self.assertEqual(self.errors, [], "\n".join(self.errors))

    def test_every_fact_still_matches_the_docs(self):
        stale = [FACTS[i][0] for i in range(len(FACTS)) if i not in self.used]
        self.assertEqual(stale, [], "facts whose words no document holds any more")


class TheReadersTest(unittest.TestCase):
    def test_a_number_glued_to_a_name_or_a_path_is_no_number(self):
        found = [n for _, n in numbers_in("arm64, x86_64, L-6840C932, tests/it/x2.rs, a 1,000-case run, 0.33/s, 5–300 s.")]
        self.assertEqual(found, ["1,000", "0.33", "5", "300"])

    def test_dates_issues_claims_statuses_and_quotes_are_not_quantities(self):
        found = [n for _, n in numbers_in('3 Dec 2026, issue 29, claims 36–39, a 404 and 300 s, "at most 8 seconds"')]
        self.assertEqual(found, ["300"])

    def test_a_measured_paragraph_carries_a_date_and_a_command_and_its_table_inherits_it(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            page = Path(folder) / "p.md"
            page.write_text("Measured with `python bench/run.py` on 3 Dec 2026:\n\n| a | 1.5 |\n\nThen 7 s.\n")
            self.assertEqual([measured for _, _, measured in blocks(page)], [True, True, False])

    def test_a_fact_whose_source_disagrees_is_reported(self):
        errors = []
        check_facts("more than 65 items → 400", "x.md:1", errors, set())
        self.assertEqual(len(errors), 1)
        self.assertIn("its source says 64", errors[0])


if __name__ == "__main__":
    unittest.main()
