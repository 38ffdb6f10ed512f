"""as_of in named queries: a parameter bound in the sub-selects that mention it
(``subqueries: true``), so that latest_indicators gives the latest value not after a day."""

from __future__ import annotations

from ptce_kg.queries import NamedQuery, query_text, run_query
from ptce_kg.store import Store

SYNTHETIC_A = "https://w3id.org/ptce/id/ptce/synthetic-a"


def latest(store: Store, query: NamedQuery, **params: str) -> dict[str, tuple[str, str]]:
    rows = run_query(store, query, {"indicator": "turnover", **params}).bindings()
    return {str(r["ptce"]): (str(r["date"]), str(r["value"])) for r in rows}


def test_the_latest_value_not_after_the_day(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["latest_indicators"]
    assert latest(dataset_store, query)[SYNTHETIC_A] == ("2023", "3100000")
    assert latest(dataset_store, query, as_of="2023-01-01")[SYNTHETIC_A] == ("2023", "3100000")
    assert latest(dataset_store, query, as_of="2022-12-31")[SYNTHETIC_A] == ("2022", "2750000")
    assert SYNTHETIC_A not in latest(dataset_store, query, as_of="2000-01-01")


def test_a_subqueries_parameter_is_bound_where_it_is_read(
    named_queries: dict[str, NamedQuery],
) -> None:
    text = query_text(named_queries["latest_indicators"], {"as_of": "2020-12-31"})
    block = 'VALUES ?as_of { "2020-12-31"^^<http://www.w3.org/2001/XMLSchema#date> }'
    # the top-level group, the sub-select around the one that filters, and that one
    assert text.count(block) == 3
    inner = text.index("GROUP BY ?ptce ?indicator")
    assert text.rfind(block, 0, inner) > text.index("MAX(STR(?some_date))")
