"""compare_ptces: 2 to 5 PTCEs side by side, as rows, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from compare.conftest import ID
from ptce_kg.compare import Comparison, compare_ptces, similarity
from ptce_kg.errors import QueryError
from ptce_kg.store import Store

ON = date(2025, 6, 30)


@pytest.fixture(scope="module")
def comparison(dataset_store: Store) -> Comparison:
    return compare_ptces(dataset_store, ["le-damier", ID + "synthetic-a", "synthetic-b"], on=ON)


def row(comparison: Comparison, dimension: str) -> list[str]:
    return next(r[1:] for r in comparison.as_table_rows() if r[0] == dimension)


def test_rows_put_the_profiles_side_by_side(comparison: Comparison):
    assert comparison.header() == [
        "dimension",
        "Le Damier",
        "Pôle de coopération A (synthétique)",
        "Pôle de coopération B (synthétique)",
    ]
    assert all(len(r) == 4 for r in comparison.as_table_rows())
    assert row(comparison, "sectors")[0] == "culture et industries créatives"
    assert row(comparison, "members (current, documented)") == ["0", "5", "6"]
    assert row(comparison, "composition documented") == ["no", "yes", "yes"]
    assert row(comparison, "age (years)") == ["14", "11", "4"]
    members = row(comparison, "latest nombre de membres")
    assert members[0] == "60 nombre (2022)" and members[1].startswith("15 ")


def test_the_similarity_matrix_is_symmetric_with_ones_on_the_diagonal(comparison: Comparison):
    m = comparison.matrix
    assert [m[i][i].total for i in range(3)] == [1.0, 1.0, 1.0]
    assert all(m[i][j] == m[j][i] for i in range(3) for j in range(3))
    a, b = comparison.profiles[1], comparison.profiles[2]
    assert m[1][2] == similarity(a, b)
    assert row(comparison, "similarity with Le Damier")[0] == "1.000"


def test_csv_has_a_header_and_one_line_per_row(comparison: Comparison):
    lines = list(csv.reader(io.StringIO(comparison.to_csv())))
    assert lines[0] == comparison.header()
    assert lines[1:] == comparison.as_table_rows()


def test_json_holds_profiles_rows_and_matrix(comparison: Comparison):
    data = json.loads(comparison.to_json())
    assert list(data) == ["ptces", "weights", "profiles", "rows", "similarity"]
    assert data["ptces"][0] == ID + "le-damier"
    assert data["similarity"][0][0]["total"] == 1.0
    assert data["weights"]["sectors"] == 3.0


@pytest.mark.parametrize(
    "refs",
    [
        ["le-damier"],
        ["le-damier", "le-damier"],
        ["le-damier", "pollens", "peccs", "tetris", "edenn", "station-a"],
    ],
    ids=["one", "one-twice", "six"],
)
def test_fewer_than_two_or_more_than_five_is_an_error(dataset_store: Store, refs: list[str]):
    with pytest.raises(QueryError, match="2 to 5 distinct PTCEs"):
        compare_ptces(dataset_store, refs)


def test_an_unknown_ptce_is_a_query_error(dataset_store: Store):
    with pytest.raises(QueryError, match="no-such-pole"):
        compare_ptces(dataset_store, ["le-damier", "no-such-pole"])
