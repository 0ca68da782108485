"""The documentation's own checks: the README stays a front page (at most 200 lines), every relative
link (and its #anchor) resolves inside the repository, no link leaves it except to public documentation,
and every test the threat model (docs/security.md) names as proof exists. Run by scripts/test."""

import re
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README_BUDGET = 200
# Links may leave the repository only for public documentation.
DOCUMENTATION_HOSTS = ("docs.aws.amazon.com",)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files():
    ignored = ("target", ".aws-sam", "node_modules", ".git")
    return sorted(p for p in ROOT.rglob("*.md") if not any(part in ignored for part in p.relative_to(ROOT).parts))


def without_code(text):
    """The text less fenced code blocks, where brackets are code, not links."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def anchors(path):
    """GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces as -."""
    found = set()
    for line in without_code(path.read_text()).splitlines():
        match = re.match(r"#+\s+(.*)", line)
        if match:
            heading = match.group(1).strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", heading).replace(" ", "-"))
    return found


class DocsTest(unittest.TestCase):
    def test_the_readme_is_a_front_page_within_its_budget(self):
        lines = (ROOT / "README.md").read_text().splitlines()
        self.assertLessEqual(len(lines), README_BUDGET, f"README.md has {len(lines)} lines")

    def test_every_relative_link_resolves_and_every_other_is_public_documentation(self):
        files = markdown_files()
        self.assertGreater(len(files), 8)
        for path in files:
            for target in LINK.findall(without_code(path.read_text())):
                where = f"{path.relative_to(ROOT)}: {target}"
                if target.startswith(("http://", "https://")):
                    host = target.split("/")[2]
                    self.assertIn(host, DOCUMENTATION_HOSTS, f"a link leaves the repository: {where}")
                    continue
                self.assertFalse(target.startswith(("/", "file:")), where)
                file_part, _, anchor = target.partition("#")
                linked = (path.parent / file_part).resolve() if file_part else path
                self.assertTrue(linked.exists(), f"broken link {where}")
                self.assertTrue(linked.is_relative_to(ROOT), f"a link leaves the repository: {where}")
                if anchor:
                    self.assertIn(anchor, anchors(linked), f"no heading for #{anchor}: {where}")

    def test_every_file_a_document_names_exists(self):
        # `src/use_case/mod.rs`, `tests/it/logs.rs`, `scripts/sam-build`, …: a renamed file must not leave a stale name.
        path_like = re.compile(r"`((?:src|tests|scripts|bench|benches|docs|connect-local|events|certs)/[\w./-]+)`")
        # CHANGELOG.md is history: it names files as they were when each entry was written.
        for path in (p for p in markdown_files() if p.name != "CHANGELOG.md"):
            for named in path_like.findall(path.read_text()):
                if any(c in named for c in "*<{"):
                    continue
                self.assertTrue((ROOT / named).exists(), f"{path.relative_to(ROOT)} names {named}, which does not exist")

    def test_no_document_points_outside_the_repository_by_path(self):
        for path in markdown_files():
            self.assertNotIn("../shared", path.read_text(), str(path.relative_to(ROOT)))

    def test_every_claim_of_the_threat_model_names_tests_that_exist(self):
        text = (ROOT / "docs" / "security.md").read_text()
        table = text[text.index("## Claims"):text.index("## Direct invocation")]
        rows = [line for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
        self.assertGreaterEqual(len(rows), 20)
        sources = "\n".join(p.read_text() for p in [*ROOT.glob("src/**/*.rs"), *ROOT.glob("tests/**/*.rs"),
                                                   *ROOT.glob("tests/*.py"), *ROOT.glob("scripts/*")] if p.is_file())
        for row in rows:
            proof = row.rsplit("|", 2)[1]
            names = re.findall(r"`(?:[A-Z]\w+\.)?(\w+)`", proof)
            tests = [n for n in names if n.count("_") >= 3 or n.startswith("test_")]
            self.assertTrue(tests, f"a claim without a test: {row}")
            for name in tests:
                found = re.search(rf"(fn|def) {name}\b", sources)
                self.assertTrue(found, f"claim {row.split('|')[1].strip()} names {name}, which no test defines")


    def test_the_task_index_names_every_script(self):
        index = (ROOT / "scripts" / "README.md").read_text()
        scripts = [p for p in [*ROOT.glob("scripts/*"), *ROOT.glob("scripts/lib/*")] if p.is_file() and p.name != "README.md"]
        self.assertGreater(len(scripts), 15)
        for script in scripts:
            named = f"scripts/{script.name}" if script.parent.name == "scripts" else f"`{script.name}`"
            self.assertIn(named, index, f"scripts/README.md does not say what {script.relative_to(ROOT)} does")

    def test_code_comments_point_at_docs_pages_never_at_readme_sections(self):
        # The README is a front page whose sections move; a comment names the docs page that holds the fact.
        # A file's own README is named by its path (`connect-local/README.md`); the bare word is the front page.
        pattern = re.compile(r"(?<![\w/.-])README(?![\w.])|(?<![\w/.-])README\.md#")
        sources = [*ROOT.glob("src/**/*.rs"), *ROOT.glob("tests/**/*.rs"), *ROOT.glob("connect-local/src/**/*.rs"),
                   *ROOT.glob("scripts/**/*"), *ROOT.glob("tests/*.py"), *ROOT.glob("bench/*.py"),
                   ROOT / "template.yaml", ROOT / "Cargo.toml", ROOT / ".cargo" / "config.toml"]
        # This file is the README's own check, and scripts/README.md is the task index itself.
        for path in (p for p in sources if p.is_file() and p.name not in ("docs_test.py", "README.md")):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                self.assertIsNone(pattern.search(line), f"{path.relative_to(ROOT)}:{number} points at a README section: {line.strip()}")


if __name__ == "__main__":
    unittest.main()
