"""Links from ptce_kg's records to remote catalogues: INSEE's geography, Wikidata, another ptce_kg.

:func:`link_store` reads the keys of our records (INSEE codes of territories, SIREN numbers of EPCI
and organisations, labels and ``owl:sameAs`` of PTCE), asks a remote SPARQL endpoint which of its
resources carry the same keys (:class:`CatalogueEndpoint`: SPARQLWrapper, time-outs, retries, an
on-disk cache of answers), and replaces the graph ``<base>graph/links-<target>`` and its
``/provenance`` companion in ONE store transaction: re-running replaces the links, never adds to
them. A key that matches several remote resources is reported as ambiguous and not linked.

Links are ``skos:exactMatch``: our IRIs name records (docs/decisions/0001-iri-policy.md), and an
``owl:sameAs`` to a Wikidata item or an INSEE resource would merge what each says under OWL.
``owl:sameAs`` is written only when another ptce_kg already states it about one of our records.
Keys reach the remote queries as SPARQL terms in a ``VALUES`` block (escaped by the store layer).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import tempfile
import time
import urllib.error
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from ptce_kg.errors import SourceError
from ptce_kg.namespaces import IGEO, PTCE, VOID, concept_iri, graph_iri
from ptce_kg.sparql.binding import bound_term
from ptce_kg.store import Store, companion_graphs, redact_url, term_from_json
from ptce_kg.version import package_version

log = logging.getLogger(__name__)

WDT = "http://www.wikidata.org/prop/direct/"
BATCH = 200
_RETRY_STATUSES = frozenset({429, 502, 503, 504})


# ------------------------------------------------------------------------------------ the remote
@dataclass(frozen=True)
class RemoteAnswer:
    """The rows of a SELECT answer, when it was fetched, and whether it came from the cache."""

    query: str
    rows: list[dict[str, Node]]
    fetched_at: datetime
    from_cache: bool
    key: str


class CatalogueEndpoint:
    """A remote SPARQL endpoint queried with SPARQLWrapper, with retries and an answer cache.

    The cache holds one JSON file per (endpoint, query) — the SHA-256 of both — in ``cache_dir``;
    an entry older than ``max_age`` seconds is fetched again; ``cache_dir=None`` disables it.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_dir: Path | None = None,
        max_age: float = 7 * 24 * 3600,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.5,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.url = url
        self.name = redact_url(url)
        self.cache_dir = cache_dir
        self.max_age = max_age
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._credentials = (user, password or "") if user else None

    def cache_path(self, query: str) -> Path | None:
        """Where the answer to ``query`` is cached (``None`` without a cache)."""
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{_hash(self.name, query)}.json"

    def select(self, query: str) -> RemoteAnswer:
        """Run a SELECT ``query`` (or read its cached answer).

        Raises:
            SourceError: the endpoint is down, times out, refuses the query or the credentials.
        """
        path = self.cache_path(query)
        cached = _read_cache(path, self.max_age)
        if cached is not None:
            fetched_at, data = cached
            return RemoteAnswer(query, _rows(data), fetched_at, True, _hash(self.name, query))
        data = self._fetch(query)
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        if path is not None:
            _write_cache(path, self.name, query, fetched_at, data)
        return RemoteAnswer(query, _rows(data), fetched_at, False, _hash(self.name, query))

    def _fetch(self, query: str) -> dict[str, Any]:
        wrapper = SPARQLWrapper(self.url, agent=f"ptce_kg/{package_version()} (ptce-kg link)")
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(max(1, round(self.timeout)))
        if self._credentials is not None:
            wrapper.setCredentials(*self._credentials)
        wrapper.setQuery(query)
        attempt = 0
        while True:
            try:
                raw = wrapper.query().response.read()
                data: dict[str, Any] = json.loads(raw)
                return data
            except (QueryBadFormed, EndPointNotFound, Unauthorized) as e:
                raise SourceError(
                    f"the SPARQL endpoint {self.name} refused the query: {e.msg}",
                    hint="check --endpoint (the URL of the SPARQL service itself) and credentials",
                ) from e
            except ValueError as e:
                raise SourceError(
                    f"the SPARQL endpoint {self.name} sent no JSON results: {e}"
                ) from e
            except urllib.error.HTTPError as e:
                if e.code not in _RETRY_STATUSES or attempt >= self.retries:
                    raise self._down(f"HTTP {e.code} {e.reason}") from e
            except (SPARQLWrapperException, urllib.error.URLError, HTTPException, OSError) as e:
                # connection refused or reset, time-out, 500: the remote may recover
                if attempt >= self.retries:
                    reason = getattr(e, "reason", None) or e
                    if isinstance(reason, socket.timeout | TimeoutError):
                        reason = f"no answer within {self.timeout:g} s"
                    raise self._down(str(reason)) from e
            time.sleep(self.backoff * 2**attempt)
            attempt += 1

    def _down(self, reason: str) -> SourceError:
        return SourceError(
            f"cannot get an answer from the SPARQL endpoint {self.name}: {reason}",
            hint="is the endpoint up and the URL right? answers already cached are used "
            "without --no-cache; raise --timeout for a slow endpoint",
        )


def _hash(endpoint: str, query: str) -> str:
    return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()


def _read_cache(path: Path | None, max_age: float) -> tuple[datetime, dict[str, Any]] | None:
    if path is None or not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        fetched_at = datetime.fromisoformat(entry["fetched_at"])
        data: dict[str, Any] = entry["results"]
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring the unreadable cache entry %s", path)
        return None
    if (datetime.now(UTC) - fetched_at).total_seconds() > max_age:
        return None
    return fetched_at, data


def _write_cache(
    path: Path, endpoint: str, query: str, fetched_at: datetime, data: dict[str, Any]
) -> None:
    entry = {"endpoint": endpoint, "query": query, "fetched_at": fetched_at.isoformat()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({**entry, "results": data}, f)
        os.replace(tmp, path)
    except OSError as e:  # a cache that cannot be written only costs a query next time
        log.warning("cannot write the link cache %s: %s", path, e)


def _rows(data: dict[str, Any]) -> list[dict[str, Node]]:
    try:
        bindings = data["results"]["bindings"]
        return [{name: term_from_json(value) for name, value in b.items()} for b in bindings]
    except (KeyError, TypeError) as e:
        raise SourceError(f"not a SPARQL SELECT answer: missing {e}") from e


# ---------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class Rule:
    """How one kind of record is matched: ``local`` selects ``?item ?key`` in our store;
    ``remote`` turns the ``VALUES`` text of a batch of keys into a query selecting ``?key ?remote``
    (and an optional ``?label``)."""

    name: str
    local: str
    remote: Callable[[str], str]
    predicate: URIRef = SKOS.exactMatch
    token_variants: bool = False  # also send each code typed xsd:token (INSEE's RDF)


def _local_codes(cls: URIRef, prop: URIRef) -> str:
    return f"SELECT DISTINCT ?item ?key WHERE {{ ?item a <{cls}> ; <{prop}> ?key }}"


def _local_sirens(base_iri: str) -> str:
    siren = concept_iri("identifier-type", "siren", base=base_iri)
    return (
        "SELECT DISTINCT ?item ?key WHERE { ?item <http://www.w3.org/ns/adms#identifier> ?id . "
        f"?id <{DCTERMS.type}> <{siren}> ; <{SKOS.notation}> ?key }}"
    )


def _by_property(
    prop: str, cls: str | None = None, label: str | None = None
) -> Callable[[str], str]:
    typed = f"?remote a <{cls}> . " if cls else ""
    named = f"OPTIONAL {{ ?remote <{label}> ?label }} " if label else ""

    def build(values: str) -> str:
        return (
            f"SELECT ?key ?remote ?label WHERE {{ VALUES ?key {{ {values} }} "
            f"?remote <{prop}> ?key . {typed}{named}}}"
        )

    return build


def rules_for(target: str, base_iri: str) -> list[Rule]:
    """The matching rules of ``target`` (``insee-geo``, ``wikidata`` or ``ptce-kg``).

    Raises:
        SourceError: for an unknown target.
    """
    rdfs_label = "http://www.w3.org/2000/01/rdf-schema#label"
    territories = [
        ("communes", PTCE.Commune, PTCE.inseeCode, IGEO.Commune, "P374"),
        ("departements", PTCE.Departement, PTCE.inseeCode, IGEO.Departement, "P2586"),
        ("regions", PTCE.Region, PTCE.inseeCode, IGEO.Region, "P2585"),
        ("epci", PTCE.EPCI, PTCE.epciSiren, IGEO.Intercommunalite, "P1616"),
    ]
    if target == "insee-geo":
        return [
            Rule(
                name,
                _local_codes(cls, prop),
                _by_property(IGEO.codeINSEE, igeo, IGEO.nom),
                token_variants=True,
            )
            for name, cls, prop, igeo, _wd in territories
        ]
    if target == "wikidata":
        rules = [
            Rule(name, _local_codes(cls, prop), _by_property(WDT + wd, label=rdfs_label))
            for name, cls, prop, _igeo, wd in territories
        ]
        return [
            *rules,
            Rule(
                "organisations",
                _local_sirens(base_iri),
                _by_property(WDT + "P1616", label=rdfs_label),
            ),
        ]
    if target == "ptce-kg":
        rules = [
            Rule(name, _local_codes(cls, prop), _by_property(prop, cls, rdfs_label))
            for name, cls, prop, _igeo, _wd in territories
        ]
        ptce_labels = (
            f"SELECT DISTINCT ?item ?key WHERE {{ ?item a <{PTCE.PTCE}> ; <{rdfs_label}> ?key }}"
        )
        ptce_items = f"SELECT DISTINCT ?item (?item AS ?key) WHERE {{ ?item a <{PTCE.PTCE}> }}"
        return [
            *rules,
            Rule("ptce-labels", ptce_labels, _by_property(rdfs_label, PTCE.PTCE, rdfs_label)),
            Rule(
                "ptce-same-as",
                ptce_items,
                _by_property(OWL.sameAs, PTCE.PTCE, rdfs_label),
                OWL.sameAs,
            ),
        ]
    raise SourceError(f"unknown link target {target!r}", hint=f"use one of {', '.join(TARGETS)}")


TARGETS = ("insee-geo", "wikidata", "ptce-kg")


# -------------------------------------------------------------------------------------- linking
@dataclass(frozen=True)
class Link:
    """One link: our record, the predicate, the remote resource, and what matched."""

    local: str
    predicate: str
    remote: str
    rule: str
    key: str
    label: str | None = None


@dataclass
class RuleCount:
    """Per rule: our records with a key, linked ones, ambiguous keys, keys the remote lacks."""

    candidates: int = 0
    linked: int = 0
    ambiguous: int = 0
    unmatched: int = 0


@dataclass
class LinkOutcome:
    """What :func:`link_store` wrote."""

    target: str
    endpoint: str
    graph: str
    links: list[Link] = field(default_factory=list)
    counts: dict[str, RuleCount] = field(default_factory=dict)
    queries: int = 0
    cached: int = 0


def _key(term: Node) -> tuple[str, str | None]:
    """A key as compared: its text and language (``"06069"`` and ``"06069"^^xsd:token`` agree)."""
    return str(term), term.language if isinstance(term, Literal) else None


def _values(keys: Sequence[Node], token_variants: bool) -> str:
    terms: list[str] = []
    for key in keys:
        terms.append(bound_term(key))
        if token_variants and isinstance(key, Literal) and not key.language:
            terms.append(bound_term(Literal(str(key), datatype=XSD.token)))
    return " ".join(terms)


def _run_rule(
    store: Store, endpoint: CatalogueEndpoint, rule: Rule, outcome: LinkOutcome
) -> list[RemoteAnswer]:
    local: dict[tuple[str, str | None], set[str]] = {}
    keys: dict[tuple[str, str | None], Node] = {}
    for row in store.query(rule.local).rows:
        item, term = row[0], row[1]
        if item is None or term is None or isinstance(item, BNode):
            continue
        local.setdefault(_key(term), set()).add(str(item))
        keys[_key(term)] = term
    count = outcome.counts.setdefault(rule.name, RuleCount())
    count.candidates = len({i for items in local.values() for i in items})
    found: dict[tuple[str, str | None], dict[str, str | None]] = {}
    answers = []
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        batch = [keys[k] for k in ordered[start : start + BATCH]]
        answer = endpoint.select(rule.remote(_values(batch, rule.token_variants)))
        answers.append(answer)
        for binding in answer.rows:
            remote, term = binding.get("remote"), binding.get("key")
            if isinstance(remote, URIRef) and term is not None and _key(term) in local:
                labels = found.setdefault(_key(term), {})
                label = binding.get("label")
                labels[str(remote)] = labels.get(str(remote)) or (str(label) if label else None)
    linked: set[str] = set()
    for key, items in sorted(local.items()):
        remotes = {r: lab for r, lab in found.get(key, {}).items() if r not in items}
        if not remotes:
            count.unmatched += 1
        elif len(remotes) > 1:
            count.ambiguous += 1
            log.info(
                "%s: key %s matches %d remote resources; not linked",
                rule.name,
                key[0],
                len(remotes),
            )
        else:
            ((target, name),) = remotes.items()
            for local_item in sorted(items):
                outcome.links.append(
                    Link(local_item, str(rule.predicate), target, rule.name, key[0], name)
                )
                linked.add(local_item)
    count.linked = len(linked)
    return answers


def link_store(
    store: Store, endpoint: CatalogueEndpoint, target: str, *, base_iri: str
) -> LinkOutcome:
    """Link our records to ``endpoint``'s and replace the ``links-<target>`` graph (atomically).

    Raises:
        SourceError: unknown target, or the endpoint is down or refuses a query (nothing written).
        StoreError: the store could not be read or written.
    """
    rules = rules_for(target, base_iri)
    graph = str(graph_iri(f"links-{target}", base=base_iri))
    outcome = LinkOutcome(target, endpoint.name, graph)
    started = datetime.now(UTC).replace(microsecond=0)
    answers = [
        (rule.name, answer)
        for rule in rules
        for answer in _run_rule(store, endpoint, rule, outcome)
    ]
    outcome.queries = len(answers)
    outcome.cached = sum(1 for _name, answer in answers if answer.from_cache)
    links = Graph()
    for link in outcome.links:
        links.add((URIRef(link.local), URIRef(link.predicate), URIRef(link.remote)))
    _inferred, provenance = companion_graphs(graph)
    store.replace_graphs(
        {
            graph: links.serialize(format="nt", encoding="utf-8"),
            provenance: _provenance(outcome, started, answers, len(links)),
        }
    )
    return outcome


def _provenance(
    outcome: LinkOutcome, started: datetime, answers: list[tuple[str, RemoteAnswer]], size: int
) -> bytes:
    g = Graph()
    node, endpoint, activity = URIRef(outcome.graph), URIRef(outcome.endpoint), BNode()
    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, RDF.type, VOID.Dataset))
    g.add((node, DCTERMS.source, endpoint))
    g.add(
        (node, DCTERMS.title, Literal(f"Links to {outcome.target} ({outcome.endpoint})", lang="en"))
    )
    g.add((node, VOID.triples, Literal(size, datatype=XSD.integer)))
    g.add((node, PROV.generatedAtTime, now))
    g.add((node, PROV.wasGeneratedBy, activity))
    g.add((node, PROV.wasAttributedTo, Literal(f"ptce_kg {package_version()}")))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.used, endpoint))
    g.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, now))
    for rule, answer in answers:
        query = BNode()
        g.add((activity, PROV.used, query))
        g.add((query, RDF.type, PROV.Entity))
        g.add((query, DCTERMS.identifier, Literal(answer.key)))
        g.add((query, DCTERMS.description, Literal(f"SPARQL query of rule {rule}", lang="en")))
        g.add((query, PROV.value, Literal(answer.query)))
        g.add((query, PROV.wasDerivedFrom, endpoint))
        g.add(
            (
                query,
                PROV.generatedAtTime,
                Literal(answer.fetched_at.isoformat(), datatype=XSD.dateTime),
            )
        )
    return g.serialize(format="nt", encoding="utf-8")
