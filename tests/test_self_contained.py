"""The repository stands alone: no code, test, script or doc reads a path outside it (issue 15).

A clone placed where nothing is beside it must run its tests; `.ci/run` proves that by cloning the
repository into an empty temporary directory and running a subset there. This test catches the
cause early: a path that climbs out of the repository (into the sibling folder the W3C suites and
the facts table were once read from, ``ROOT.parent / …``, an absolute path of the machine the tests
were written on). The sibling's name is spelt so that a grep for it does not find this file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where third-party or generated files live: not ours to scan.
SKIPPED_DIRS = {"node_modules", "build", "dist", "__pycache__", "suites", "out"}
SCANNED = {".py", ".md", ".toml", ".cfg", ".ini", ".sh", ".yml", ".yaml", ".rq", ".html", ".js"}
SCANNED_NAMES = {"Makefile", "run"}
SIBLING = "shar" + "ed"  # the folder beside the repository that tests must not read
#: A path outside the repository: the sibling folder, the parent of the root in Python, or an
#: absolute path of the development machine.
OUTSIDE = re.compile(
    rf"\.\./{SIBLING}\b|\b{SIBLING}/(?:w3c|domain|dcat-ap|style|hooks)\b|/work/|"
    rf"""\bROOT\.parent\b|\.parent\s*/\s*["']{SIBLING}["']"""
)


def _scanned_files() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and (not d.startswith(".") or d == ".ci")
        ]
        for name in files:
            path = Path(folder, name)
            if path.suffix in SCANNED or name in SCANNED_NAMES:
                yield path


def test_the_scan_sees_code_tests_docs_and_ci() -> None:
    seen = {p.relative_to(ROOT).as_posix() for p in _scanned_files()}
    assert {"Makefile", ".ci/run", "pyproject.toml", "README.md", "ptce_kg/config.py"} <= seen
    assert "tests/w3c/manifest.py" in seen and "docs/conformance.md" in seen
    assert not any(p.startswith("tests/w3c/suites/") for p in seen)


@pytest.mark.parametrize(
    "line",
    [
        f'root = PROJECT_ROOT.parent / "{SIBLING}" / "w3c"',
        f"The suites are read from `../{SIBLING}/w3c/rdf-tests`.",
        f"the facts table, {SIBLING}/domain/ptce-facts.csv",
        "see /work/notes/ENGINE-NOTES.md",
        'FACTS = ROOT.parent / "facts.csv"',
    ],
)
def test_the_pattern_catches_paths_outside_the_repository(line: str) -> None:
    assert OUTSIDE.search(line)


def test_no_file_names_a_path_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _scanned_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line) and path != Path(__file__).resolve()  # the patterns themselves
    ]
    assert not found, "\n".join(found)
