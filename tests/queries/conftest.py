"""Fixtures of the named-query tests: one store with the whole bundled dataset, and the queries.

The store is loaded like the Makefile's ``load`` target (régions, départements, communes, then
tests/data/dataset and data/examples), validated, once per session. Expected answers live in
``expected/<name>.csv``; regenerate them (and docs/queries.md) with
``.venv/bin/pytest tests/queries --update-expected`` and read the diff before committing it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.queries import NamedQuery, load_queries
from ptce_kg.store import QueryResult

DATA = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
EXPECTED = Path(__file__).parent / "expected"
BASE = "https://w3id.org/ptce/"
#: GROUP_CONCAT's order is the engine's: cells holding several values are compared sorted.
SEPARATOR = " | "


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        default=False,
        help="rewrite tests/queries/expected/*.csv and docs/queries.md from the current answers",
    )


@pytest.fixture(scope="session")
def update_expected(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-expected", default=False))


@pytest.fixture(scope="session")
def named_queries() -> dict[str, NamedQuery]:
    return load_queries(QUERIES_DIR)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return SEPARATOR.join(sorted(text.split(SEPARATOR))) if SEPARATOR in text else text


def result_rows(result: QueryResult) -> list[list[str]]:
    """The header and the sorted rows of a SELECT answer, as strings (IRIs and lexical forms)."""
    rows = sorted([_cell(t) for t in row] for row in result.rows)
    return [list(result.variables), *rows]


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))
