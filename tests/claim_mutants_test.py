"""tests/claim_mutants.json, the threat model's mutants (scripts/claim-mutants runs them; a long run, not
in CI), checked against what it must stay in step with, without building anything: every claim of
docs/security.md's Claims table has a mutant; each mutant's `find` occurs exactly once in its file, so that
it still applies; and each mutant's expected tests are named in its claims' "proved by" cells, so that the
mutant breaks a claim with the tests the threat model says prove it."""

import re
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import claim_mutants  # noqa: E402

SECURITY = ROOT / "docs" / "security.md"
KEYS = {"id", "claims", "break", "file", "find", "replace", "command", "expect_failed"}
OPTIONAL_KEYS = {"cwd"}


def claims_table(text):
    """{claim number: its "proved by" cell} from the Claims section's table."""
    section = text.split("\n## Claims\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| .*? \| (.*) \|$", section, re.M)
    return {int(number): proved_by for number, proved_by in rows}


def short_name(test):
    """A test's own name: the last part of a unittest id (module.Class.test) or a Rust path (a::b::c)."""
    return re.split(r"\.|::", test)[-1]


def test_file(mutant):
    """The file of tests a command runs, as docs/security.md names files (for a command that runs a whole
    file of tests whose cell names no test of it): `tests/<module>.py` for unittest, the path for node."""
    command = mutant["command"]
    if command[:3] == ["python", "-m", "unittest"]:
        return f"tests/{command[3].split('.')[0]}.py"
    return next((part for part in command if part.endswith(".test.js")), None)


def named_in(test, mutant, cell):
    """Whether the cell names the test: by its own name, or (for a node test, whose titles are prose, and
    a file the cell names without naming its tests) by its file, named in backticks with no test after it."""
    if re.search(rf"`{re.escape(short_name(test))}`|\b{re.escape(short_name(test))}\b", cell):
        return True
    path = test_file(mutant)
    return path is not None and re.search(rf"`{re.escape(path)}`(?!\s*`test)", cell) is not None


class ClaimMutantsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mutants = claim_mutants.load()
        cls.cells = claims_table(SECURITY.read_text(encoding="utf-8"))

    def test_the_claims_table_is_read_whole(self):
        self.assertEqual(sorted(self.cells), list(range(1, max(self.cells) + 1)), "numbered 1..N without a gap")
        self.assertGreaterEqual(len(self.cells), 42)

    def test_every_claim_has_a_mutant(self):
        broken = {claim for mutant in self.mutants for claim in mutant["claims"]}
        self.assertEqual(sorted(set(self.cells) - broken), [], "claims without a mutant")
        self.assertEqual(sorted(broken - set(self.cells)), [], "mutants of claims the table does not have")

    def test_each_mutant_is_complete_and_named_once(self):
        identifiers = [mutant["id"] for mutant in self.mutants]
        self.assertEqual(len(identifiers), len(set(identifiers)), "ids are unique")
        for mutant in self.mutants:
            self.assertLessEqual(KEYS, set(mutant), mutant["id"])
            self.assertLessEqual(set(mutant), KEYS | OPTIONAL_KEYS, mutant["id"])
            self.assertTrue(mutant["claims"] and mutant["expect_failed"] and mutant["command"], mutant["id"])
            self.assertNotEqual(mutant["find"], mutant["replace"], mutant["id"])
            self.assertTrue((ROOT / mutant.get("cwd", ".")).is_dir(), mutant["id"])

    def test_each_find_occurs_exactly_once_in_its_file(self):
        for mutant in self.mutants:
            text = (ROOT / mutant["file"]).read_text(encoding="utf-8")
            self.assertEqual(text.count(mutant["find"]), 1, f"{mutant['id']}: {mutant['file']}")

    def test_each_expected_test_is_named_in_its_claims_proved_by_cell(self):
        for mutant in self.mutants:
            cells = " ".join(self.cells.get(claim, "") for claim in mutant["claims"])
            for test in mutant["expect_failed"]:
                self.assertTrue(named_in(test, mutant, cells), f"{mutant['id']}: {test} is not named for claims "
                                                                f"{mutant['claims']}")

    def test_a_node_tests_title_is_in_its_file(self):
        # Node's tests are reported by title: a title that no longer exists would never be reported failed.
        for mutant in self.mutants:
            path = test_file(mutant)
            if path and path.endswith(".test.js"):
                text = (ROOT / path).read_text(encoding="utf-8")
                for title in mutant["expect_failed"]:
                    self.assertIn(title, text, f"{mutant['id']}: {title}")


class FailedTestsTest(unittest.TestCase):
    """The runner reads the failed tests from each runner's own report."""

    def test_unittest_cargo_and_tap_failures_are_read(self):
        output = "\n".join([
            "FAIL: test_x (template_test.HttpApiTest.test_x)",
            "ERROR: test_y (local_gateway_test.JwtAuthorizerTest)",
            "test domain::arn::tests::a_slash ... FAILED",
            "test security::ok_one ... ok",
            "not ok 2 - refuses a path that leaves the API",
            "ok 3 - keeps loopback http",
        ])
        self.assertEqual(claim_mutants.failed_tests(output), {
            "template_test.HttpApiTest.test_x", "local_gateway_test.JwtAuthorizerTest.test_y",
            "domain::arn::tests::a_slash", "refuses a path that leaves the API"})

    def test_an_expected_test_matches_a_whole_name_only(self):
        failed = {"template_test.HttpApiTest.test_x", "domain::arn::tests::a_slash"}
        self.assertTrue(claim_mutants.is_reported("template_test.HttpApiTest.test_x", failed))
        self.assertTrue(claim_mutants.is_reported("arn::tests::a_slash", failed))
        self.assertFalse(claim_mutants.is_reported("HttpApiTest.test_x_more", failed))
        self.assertFalse(claim_mutants.is_reported("slash", failed))


if __name__ == "__main__":
    unittest.main()
