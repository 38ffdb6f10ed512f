"""The w3id redirect rules (deploy/w3id/.htaccess) against the service's routes: each rule, read
from the file and applied to sample IRIs as Apache's mod_rewrite would in the registry's ptce/
folder, sends the IRI to a path of the service that answers it; the ontology's version IRI and its
module IRIs resolve at the service (RDF 200, a browser 303 to /ontology)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from conftest import ONTOLOGY_DIR, ROOT
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ptce_kg.namespaces import ONTOLOGY_IRI

HTACCESS = ROOT / "deploy" / "w3id" / ".htaccess"
W3ID = "https://w3id.org/ptce/"
_RULE = re.compile(r"RewriteRule\s+(\S+)\s+(\S+)(?:\s+\[([^\]]*)\])?")


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    target: str
    flags: dict[str, str]


def read_rules() -> list[Rule]:
    """The file's RewriteRules, in order (comments and other directives skipped)."""
    rules = []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        match = _RULE.fullmatch(line.strip())
        if match:
            flags = {}
            for flag in filter(None, (match.group(3) or "").split(",")):
                name, _eq, value = flag.partition("=")
                flags[name] = value
            rules.append(Rule(re.compile(match.group(1)), match.group(2), flags))
    return rules


def rewrite(path: str, rules: list[Rule]) -> tuple[int, str] | None:
    """(status, location) for a request of ``path`` (after https://w3id.org/ptce/), applying
    the rules as mod_rewrite does in a per-directory context; ``None`` when no rule redirects."""
    env: dict[str, str] = {}
    for rule in rules:
        match = rule.pattern.search(path)
        if match is None:
            continue
        if "E" in rule.flags:
            name, value = rule.flags["E"].split(":", 1)
            env[name] = value
        if rule.target == "-":
            continue
        location = re.sub(r"%\{ENV:(\w+)\}", lambda m: env[m.group(1)], rule.target)
        for number, group in enumerate(match.groups(), start=1):
            location = location.replace(f"${number}", group or "")
        return int(rule.flags["R"]), location
    return None


def service_path(iri: str, rules: list[Rule], hops: int = 3) -> tuple[list[int], str]:
    """Follow the rules from ``iri`` (through w3id again when a rule redirects to a w3id IRI)
    to a path on the service; the statuses met on the way."""
    statuses = []
    for _ in range(hops):
        assert iri.startswith(W3ID), iri
        found = rewrite(iri[len(W3ID) :], rules)
        assert found is not None, f"no rule redirects {iri}"
        status, location = found
        statuses.append(status)
        if not location.startswith(W3ID):
            service = "{0.scheme}://{0.netloc}".format(urlparse(rules_service(rules)))
            assert location.startswith(service), location
            return statuses, location[len(service) :]
        iri = location
    raise AssertionError(f"{iri}: more than {hops} redirects")


def rules_service(rules: list[Rule]) -> str:
    (address,) = {r.flags["E"].split(":", 1)[1] for r in rules if "E" in r.flags}
    return address


def ontology_parts() -> list[str]:
    """The version IRI and the module IRIs the ontology folder states."""
    iris = []
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        iris += [str(o) for o in graph.objects(URIRef(ONTOLOGY_IRI), OWL.versionIRI)]
        iris += [str(s) for s in graph.subjects(RDF.type, OWL.Ontology) if str(s) != ONTOLOGY_IRI]
    return sorted(iris)


RULES = read_rules()
PARTS = ontology_parts()
#: IRIs of every kind the service answers, all present in the page tests' store.
SAMPLES = [
    W3ID.rstrip("/") + "/",
    ONTOLOGY_IRI,
    *PARTS,
    W3ID + "shapes",
    W3ID + "catalog",
    W3ID + "dataset",
    W3ID + "id/ptce/le-damier",
    W3ID + "id/org/le-damier",
    W3ID + "id/commune/63113",
    W3ID + "id/scheme/sector",
    W3ID + "id/concept/sector/digital",
    W3ID + "graph/le-damier",
]


def test_the_rules_name_one_service_address_and_redirect_every_kind_of_iri() -> None:
    assert rules_service(RULES).startswith("https://")
    assert len(PARTS) >= 2, "a version IRI and at least one module IRI"
    for iri in SAMPLES:
        service_path(iri, RULES)


@pytest.mark.parametrize("iri", SAMPLES)
def test_each_sample_iri_reaches_a_route_that_answers_rdf(site: TestClient, iri: str) -> None:
    statuses, path = service_path(iri, RULES)
    assert all(s in (301, 302, 303) for s in statuses)
    # things are sent with 303 (to their description), documents with 302
    thing = any(iri.startswith(W3ID + p) for p in ("id/", "graph/", "dataset"))
    assert statuses[-1] == (303 if thing else 302)
    accept = "text/turtle" if path != "/" else "text/html"
    response = site.get(path, headers={"accept": accept}, follow_redirects=False)
    assert response.status_code == 200, (iri, path, response.text[:300])


@pytest.mark.parametrize("iri", PARTS)
def test_version_and_module_iris_resolve_at_the_service(site: TestClient, iri: str) -> None:
    path = "/ontology/" + iri.rsplit("/", 1)[1]
    turtle = site.get(path, headers={"accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "accept" in turtle.headers["vary"].lower()
    graph = Graph().parse(data=turtle.text, format="turtle")
    # the document is the one that states this IRI
    assert (URIRef(iri), None, None) in graph or (None, OWL.versionIRI, URIRef(iri)) in graph
    jsonld = site.get(path + "?format=jsonld")
    assert jsonld.status_code == 200
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    browser = site.get(path, headers={"accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303
    assert browser.headers["location"] == "/ontology"


def test_a_module_iri_serves_that_module_only(site: TestClient) -> None:
    (module,) = [p for p in PARTS if p.endswith("/alignments")]
    whole = Graph().parse(data=site.get("/ontology.ttl").text, format="turtle")
    part = Graph().parse(
        data=site.get("/ontology/alignments", headers={"accept": "text/turtle"}).text,
        format="turtle",
    )
    assert (URIRef(module), RDF.type, OWL.Ontology) in part
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) not in part
    assert len(part) < len(whole)


def test_the_mapping_set_id_resolves_to_the_file_as_it_ships(site: TestClient) -> None:
    shipped = (ONTOLOGY_DIR / "mappings.sssom.tsv").read_text(encoding="utf-8")
    (set_id,) = re.findall(r"^# mapping_set_id: (\S+)$", shipped, flags=re.MULTILINE)
    statuses, path = service_path(set_id, RULES)
    assert statuses == [302] and path == "/ontology/mappings.sssom.tsv"
    response = site.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text == shipped
    assert site.head(path).status_code == 200


def test_a_version_the_service_does_not_ship_is_a_404_naming_the_one_it_does(
    site: TestClient,
) -> None:
    response = site.get("/ontology/0.0.1", headers={"accept": "text/turtle"})
    assert response.status_code == 404
    (version,) = [p.rsplit("/", 1)[1] for p in PARTS if re.search(r"/\d+\.\d+\.\d+$", p)]
    assert f"/ontology/{version}" in response.text


def test_the_retired_siren_keyed_iri_is_sent_to_its_successor() -> None:
    statuses, path = service_path(W3ID + "id/org/200039857", RULES)
    assert statuses == [301, 303]
    assert path == "/id/org/ca-pays-de-grasse"
