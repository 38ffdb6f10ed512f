"""bench/generate.py: deterministic, clearly synthetic, the right size, Luhn-valid SIRENs."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
N = 2000


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _generate(triples: int = N, *, seed: int = 0, fmt: str = "nt") -> tuple[str, int]:
    out = io.StringIO()
    count = gen.generate(out, triples, seed=seed, fmt=fmt)
    return out.getvalue(), count


@pytest.fixture(scope="module")
def ntriples() -> tuple[str, int]:
    return _generate()


@pytest.fixture(scope="module")
def graph(ntriples: tuple[str, int]) -> Graph:
    return Graph().parse(data=ntriples[0], format="nt")


def _luhn(number: str) -> bool:
    total = 0
    for pos, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if pos % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    assert gen.main(["--triples", str(N), "--output", str(first)]) == 0
    assert gen.main(["--triples", str(N), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert _generate(fmt="ttl")[0] == _generate(fmt="ttl")[0]


def test_another_seed_gives_other_data(ntriples: tuple[str, int]) -> None:
    assert _generate(seed=1)[0] != ntriples[0]


@pytest.mark.parametrize("target", [N, 7_300])
def test_size_is_within_5_percent_of_the_target(target: int) -> None:
    text, count = _generate(target)
    parsed = len(Graph().parse(data=text, format="nt"))
    assert parsed == count  # no duplicate triples: the reported count is the real one
    assert abs(parsed - target) <= 0.05 * target


def test_turtle_holds_the_same_triples(graph: Graph) -> None:
    turtle = Graph().parse(data=_generate(fmt="ttl")[0], format="turtle")
    assert turtle.isomorphic(graph)


def test_every_minted_iri_says_synthetic(graph: Graph) -> None:
    minted = {
        str(term)
        for triple in graph
        for term in (triple[0], triple[2])
        if isinstance(term, URIRef)
        and str(term).startswith("https://w3id.org/ptce/id/")
        and not str(term).startswith(
            tuple(
                f"https://w3id.org/ptce/id/{kind}/"
                for kind in ("concept", "commune", "period", "instant", "dataset")
            )
        )
    }
    assert minted
    assert all("synthetic" in iri for iri in minted), sorted(
        i for i in minted if "synthetic" not in i
    )
    # referenced, not minted: real INSEE communes, the project's concepts, the shared periods and
    # the indicators' data set (decision 0007)
    communes = {str(o) for o in graph.objects() if "/id/commune/" in str(o)}
    assert all(re.fullmatch(r"https://w3id\.org/ptce/id/commune/[0-9AB]{5}", c) for c in communes)


def test_every_label_is_marked_synthetic(graph: Graph) -> None:
    labels = [
        o
        for p, o in graph.predicate_objects()
        if isinstance(o, Literal) and o.language in ("fr", "en")
    ]
    assert labels
    for label in labels:
        suffix = " (synthétique)" if label.language == "fr" else " (synthetic)"
        assert str(label).endswith(suffix), label


def test_siren_check_digits_are_valid(graph: Graph) -> None:
    notations = [str(o) for o in graph.objects(None, SKOS.notation)]
    assert len(notations) >= 20
    assert len(set(notations)) == len(notations)
    for number in notations:
        assert re.fullmatch(r"[0-9]{9}", number)
        assert _luhn(number), number
        assert gen.luhn_valid(number)
    assert not gen.luhn_valid("900000018")


def test_shape_of_the_data(graph: Graph) -> None:
    ptce = URIRef("https://w3id.org/ptce/ontology#PTCE")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    poles = set(graph.subjects(rdf_type, ptce))
    assert 3 <= len(poles) <= 5  # ~1 PTCE per 500 triples
    org = "http://www.w3.org/ns/org#"
    memberships = set(graph.subjects(rdf_type, URIRef(org + "Membership")))
    assert len(memberships) >= 10 * len(poles)
    shared = [
        m
        for m in memberships
        if str(m).rsplit("-", 2)[-2] == "shared"  # actors of a neighbour
    ]
    assert shared


def test_dates_are_owl_time_intervals_with_described_bounds(graph: Graph) -> None:
    """Decision 0007: a membership runs during an interval that begins on the first day of its
    start year, a recognition has the period its date names; every bound is a described day."""
    time = "http://www.w3.org/2006/time#"
    org = "http://www.w3.org/ns/org#"
    ptce = "https://w3id.org/ptce/ontology#"
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    day = URIRef(time + "inXSDDate")
    memberships = list(graph.subjects(rdf_type, URIRef(org + "Membership")))
    assert memberships
    for membership in memberships:
        (interval,) = graph.objects(membership, URIRef(org + "memberDuring"))
        assert (interval, rdf_type, URIRef(time + "ProperInterval")) in graph
        (begins,) = graph.objects(interval, URIRef(time + "hasBeginning"))
        (start,) = graph.objects(membership, URIRef(ptce + "startDate"))
        assert str(graph.value(begins, day)) == f"{start}-01-01"
    recognitions = list(graph.subjects(rdf_type, URIRef(ptce + "Recognition")))
    assert recognitions
    for recognition in recognitions:
        (period,) = graph.objects(recognition, URIRef(time + "hasTime"))
        (stated,) = graph.objects(recognition, URIRef(ptce + "recognitionDate"))
        assert str(graph.value(period, RDFS.label)) == str(stated)
        first = graph.value(period, URIRef(time + "hasBeginning"))
        assert str(graph.value(first, day)) == f"{stated}-01-01"
