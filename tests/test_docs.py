"""The README is a front door and docs/ holds the rest: the README stays
short, every relative link of the README and of docs/*.md leads somewhere,
and no tracked text names an issue number (each thing says what it is, not
how it came about)."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from mnist_talk import files

ROOT = files.ROOT
README = ROOT / "README.md"
MAX_README_LINES = 200
#: "issue", "ticket" or "pull request" (or their plurals), then a number,
#: with or without "#".
ISSUE_NUMBER = re.compile(
    r"\b(?:issues?|tickets?|pull requests?)\s*#?\s*\d+", re.IGNORECASE)
#: Tracked folders whose text is upstream's, copied as it is.
UPSTREAM = ("slides/vendor/", "slides/node_modules/")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def _prose_lines(text: str):
    """The lines outside fenced code blocks, with their line numbers."""
    fenced = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield n, line


def _anchors(path: Path) -> set[str]:
    """The anchors a Markdown page's headings get (GitHub's rule: lower
    case, punctuation dropped, spaces to hyphens, repeats numbered)."""
    found: dict[str, int] = {}
    anchors = set()
    for _, line in _prose_lines(path.read_text()):
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading[1].lower()).replace(" ", "-")
        n = found.get(slug, 0)
        found[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _links(page: Path):
    """`(line number, target)` of every relative link of a page, a link's
    text may run over several lines."""
    lines = dict(_prose_lines(page.read_text()))
    text = "\n".join(lines.get(n, "")
                     for n in range(1, max(lines, default=0) + 1))
    for match in LINK.finditer(text):
        target = match[1]
        if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto:
            yield text.count("\n", 0, match.start()) + 1, target


def test_the_readme_is_a_front_door():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines, more than {MAX_README_LINES}: "
        "move the detail to a page in docs/ and link it")


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / t.split("#")[0]).resolve()
              for _, t in _links(README)}
    for page in _pages()[1:]:
        assert page.resolve() in linked, (
            f"{page.name} is not linked from README.md")


def test_every_relative_link_leads_to_a_file_and_heading():
    broken = []
    for page in _pages():
        for n, target in _links(page):
            name, _, anchor = target.partition("#")
            path = (page.parent / name).resolve() if name else page
            where = f"{page.relative_to(ROOT)}:{n}: {target}"
            if not path.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and path.suffix == ".md" \
                    and anchor not in _anchors(path):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def _text(path: Path) -> str | None:
    """A tracked file's text; of a notebook, its cells' sources and text
    outputs (not its images' base64); None for a binary file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if "\0" in text:
        return None
    if path.suffix == ".ipynb":
        parts = []
        for cell in json.loads(text)["cells"]:
            parts.append("".join(cell["source"]))
            for out in cell.get("outputs", []):
                parts.append("".join(out.get("text", "")))
                data = out.get("data", {})
                parts.append("".join(data.get("text/plain", "")))
        return "\n".join(parts)
    return text


def test_no_tracked_text_names_an_issue_number():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    found = []
    for name in filter(None, tracked):
        if name.startswith(UPSTREAM):
            continue
        text = _text(ROOT / name)
        for match in ISSUE_NUMBER.finditer(text or ""):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line}: {match[0]!r}")
    assert not found, ("say what each thing is, not the issue it came from:\n"
                       + "\n".join(found))


def test_the_issue_check_catches_one():
    number = 15  # built here, so that this file does not name one itself
    assert ISSUE_NUMBER.search(f"Issue {number}'s search")
    assert ISSUE_NUMBER.search(f"see issues #{number}")
    assert not ISSUE_NUMBER.search("jupyterlab-contrib/rise#144")
    assert not ISSUE_NUMBER.search("the issue is the tissue 3")
