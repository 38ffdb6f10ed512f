"""SPARQLWrapper against the live endpoint: JSON and XML, GET and POST, with its default
parameters (it adds ``format``/``output``/``results`` to the request); SELECT, ASK, CONSTRUCT."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import GET, JSON, POST, TURTLE, XML, SPARQLWrapper

from .conftest import LABELS, ORG, RDFS_LABEL, LiveServer

SELECT = f"SELECT ?org ?label WHERE {{ ?org <{RDFS_LABEL}> ?label }} ORDER BY ?org"
ASK_YES = f"ASK {{ <{ORG}1> <{RDFS_LABEL}> ?label }}"
ASK_NO = f"ASK {{ <{ORG}99> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ ?org <{RDFS_LABEL}> ?label }} WHERE {{ ?org <{RDFS_LABEL}> ?label }}"


def client(live_server: LiveServer, method: str, fmt: str, query: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live_server.endpoint)
    sparql.setMethod(method)
    sparql.setReturnFormat(fmt)
    sparql.setQuery(query)
    return sparql


@pytest.mark.parametrize("method", [GET, POST])
def test_select_json(live_server: LiveServer, method: str) -> None:
    result = client(live_server, method, JSON, SELECT).queryAndConvert()
    assert isinstance(result, dict)
    assert result["head"]["vars"] == ["org", "label"]
    rows = [(b["org"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    assert rows == sorted(LABELS.items())
    assert all(b["label"]["xml:lang"] == "fr" for b in result["results"]["bindings"])


@pytest.mark.parametrize("method", [GET, POST])
def test_select_xml(live_server: LiveServer, method: str) -> None:
    document = client(live_server, method, XML, SELECT).queryAndConvert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    rows = []
    for result in document.getElementsByTagNameNS(ns[1:-1], "result"):
        values = {
            b.getAttribute("name"): b.firstChild.firstChild.data
            for b in result.getElementsByTagNameNS(ns[1:-1], "binding")
        }
        rows.append((values["org"], values["label"]))
    assert rows == sorted(LABELS.items())


@pytest.mark.parametrize("fmt", [JSON, XML])
@pytest.mark.parametrize("method", [GET, POST])
def test_ask(live_server: LiveServer, method: str, fmt: str) -> None:
    yes = client(live_server, method, fmt, ASK_YES).query().convert()
    no = client(live_server, method, fmt, ASK_NO).query().convert()
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        texts = [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)]
        assert texts == ["true", "false"]


# SPARQLWrapper reads an RDF/XML answer into an rdflib ConjunctiveGraph (deprecated in rdflib 7.6).
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [XML, TURTLE])
@pytest.mark.parametrize("method", [GET, POST])
def test_construct(live_server: LiveServer, method: str, fmt: str) -> None:
    result = client(live_server, method, fmt, CONSTRUCT).queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    expected = {
        (URIRef(iri), URIRef(RDFS_LABEL), Literal(label, lang="fr"))
        for iri, label in LABELS.items()
    }
    assert set(graph) == expected
