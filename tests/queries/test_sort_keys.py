"""The whole-dataset reports sort on keys (ptce_composition, ptce_indicators,
actors_in_several_ptces): their order must be the IRIs' order for any IRI, not only ours.

Oxigraph reads an IRI's text at every comparison of an ``ORDER BY``, so these queries sort on
short strings cut from the IRIs instead (queries/README.md, "Writing for speed"). The bundled
dataset only has short IRIs under the usual prefixes; here the PTCEs, actors and indicator kinds
are IRIs before, under and after those prefixes, equal to one, longer than the cut, around it and
with non-ASCII characters, and each answer must come in the order ``ORDER BY`` on the IRIs gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.queries import NamedQuery, run_query
from ptce_kg.store import Store, open_store

PTCE_PREFIX = "https://w3id.org/ptce/id/ptce/"
ORG_PREFIX = "https://w3id.org/ptce/id/org/"
KIND_PREFIX = "https://w3id.org/ptce/id/concept/indicator/"


def awkward(prefix: str) -> list[str]:
    """IRIs that test every branch of the keys cut from an IRI with ``prefix``."""
    return [
        prefix + "b",
        prefix + "a-name-much-longer-than-fifteen-characters-z",
        prefix + "a-name-much-longer-than-fifteen-characters-a",
        prefix + "a-name-much-lo",  # the 14 characters of the cut
        prefix + "a-name-much-lon",  # one more
        prefix + "é-accentué",
        prefix,  # the prefix itself
        prefix.rstrip("/"),  # a prefix of the prefix: before it
        prefix[:-2] + chr(ord(prefix[-2]) - 1),  # just before
        prefix[:-2] + chr(ord(prefix[-2]) + 1),  # just after
        "https://example.org/" + "x" * 40,  # far before
        "https://zz.example/p",  # far after
    ]


PTCES = awkward(PTCE_PREFIX)
ACTORS = awkward(ORG_PREFIX)
KINDS = [KIND_PREFIX + "direct-jobs", *awkward(KIND_PREFIX)[1:4], "https://example.org/kind"]


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PERIOD = "https://example.org/period/"


def dataset() -> str:
    """Each PTCE with two members (shared with its neighbours) and dated indicators."""
    lines = []
    for i, ptce in enumerate(PTCES):
        lines.append(f"<{ptce}> a <https://w3id.org/ptce/ontology#PTCE> .")
        for j, actor in enumerate((ACTORS[i], ACTORS[(i + 1) % len(ACTORS)])):
            membership = f"https://example.org/membership/{i}-{j}"
            lines += [
                f"<{membership}> <http://www.w3.org/ns/org#organization> <{ptce}> ;",
                f"  <http://www.w3.org/ns/org#member> <{actor}> .",
            ]
        for k, kind in enumerate(KINDS):
            measure = f"https://example.org/measure/{i}-{k}"
            lines += [
                f"<{ptce}> <https://w3id.org/ptce/ontology#hasIndicator> <{measure}> .",
                f"<{measure}> <https://w3id.org/ptce/ontology#indicatorKind> <{kind}> ;",
                f"  <https://w3id.org/ptce/ontology#refPeriod> <{PERIOD}{2012 + (i + k) % 3}> ;",
                f"  <https://w3id.org/ptce/ontology#value> {i + k} ;",
                f"  <http://purl.org/dc/terms/source> <https://example.org/source/{k % 2}> .",
            ]
    for year in (2012, 2013, 2014):
        lines.append(f'<{PERIOD}{year}> <{RDFS_LABEL}> "{year}" .')
    for i, actor in enumerate(ACTORS):
        classes = ("ESSEnterprise", "Association") if i % 2 else ("LocalAuthority", "Cooperative")
        for cls in classes:
            lines.append(f"<{actor}> a <https://w3id.org/ptce/ontology#{cls}> .")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def store() -> Store:
    st = open_store(":memory:")
    pipeline.load_ontology(st, PROJECT_ROOT / "ontology")
    ntriples = Graph().parse(data=dataset(), format="turtle").serialize(format="nt")
    st.replace_graphs({"https://example.org/graph/awkward": ntriples.encode()})
    return st


def _text(term: Any) -> str:
    return "" if term is None else str(term)


CASES: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {
    # the keys of each query's ORDER BY as written before the sort keys
    "ptce_composition": lambda r: (_text(r["ptce"]), _text(r["scheme"]), _text(r["category"])),
    "ptce_indicators": lambda r: (
        _text(r["ptce"]),
        _text(r["indicator"]),
        _text(r["date"]),
        _text(r["source"]),
    ),
    "actors_in_several_ptces": lambda r: (-int(r["ptces"]), _text(r["actor"]), _text(r["ptce"])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_sort_keys_give_the_iris_order(
    store: Store, named_queries: dict[str, NamedQuery], name: str
):
    answer = list(run_query(store, named_queries[name], {}).bindings())
    keys = [CASES[name](row) for row in answer]
    assert keys == sorted(keys)
    # every awkward IRI is in the answer, so the order above was tested on all of them
    first = "actor" if name == "actors_in_several_ptces" else "ptce"
    expected = ACTORS if first == "actor" else PTCES
    assert {_text(row[first]) for row in answer} == set(expected)
    if name == "ptce_indicators":
        assert {_text(row["indicator"]) for row in answer} == set(KINDS)
