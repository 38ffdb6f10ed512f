"""The actor–PTCE network and its projections, as GraphML, GEXF (Gephi) or CSV edge lists.

Three graphs from the memberships of the store (``org:Membership``: ``org:member`` an actor,
``org:organization`` a PTCE):

- ``bipartite``: actors and PTCEs, one edge per actor and PTCE it is a member of, with the roles,
  the period (earliest start, latest end; empty when a membership has none) and the number of
  memberships (an actor with two roles in a PTCE has two);
- ``ptces``: PTCEs linked by their shared members (``weight``: how many, ``shared``: their keys);
- ``actors``: actors linked by the PTCEs they share (``weight``: how many, ``shared``: their keys).

Nodes carry their IRI, key, label (``lang``, else the other language), ``kind`` (actor or ptce)
and ``category``: an actor's most specific class under ``ptce:Actor`` (several, joined by " | ",
when it has unrelated ones). ``as_of`` keeps the memberships running on that day (a start or end
given as a year or month counts for the whole year or month), as ``ptce_members`` does.

One query reads every membership; the graphs are built in memory (the real data: ~600
memberships). No graph library is needed to write them: networkx, Gephi and R's igraph read the
files (``tests/test_network.py`` reads them back with networkx).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree as ET

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ptce_kg.errors import QueryError
from ptce_kg.store import Store

GRAPHS = ("bipartite", "ptces", "actors")
FORMATS = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml", "csv": "text/csv"}
LANGUAGES = ("fr", "en")

_MEMBERSHIPS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?ptce ?actor ?class ?role ?start ?end
WHERE {
  ?membership org:organization ?ptce ;
    org:member ?actor .
  ?ptce a ptce:PTCE .
  OPTIONAL { ?membership ptce:startDate ?start }
  OPTIONAL { ?membership ptce:endDate ?end }
  FILTER(!BOUND(?at)
    || ((!BOUND(?start) || SUBSTR(STR(?at), 1, STRLEN(STR(?start))) >= STR(?start))
        && (!BOUND(?end) || SUBSTR(STR(?at), 1, STRLEN(STR(?end))) <= STR(?end))))
  OPTIONAL { ?membership org:role ?role }
  OPTIONAL {
    ?actor a ?class .
    ?class rdfs:subClassOf* ptce:Actor .
    OPTIONAL {
      ?actor a ?narrower .
      ?narrower rdfs:subClassOf ?class .
      FILTER(?narrower != ?class)
    }
    FILTER(!BOUND(?narrower))
  }
}
"""
_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?label WHERE {
  VALUES ?node { %s }
  { ?node skos:prefLabel ?label } UNION { ?node rdfs:label ?label }
}
"""


@dataclass
class Node:
    """A node of the network: an actor or a PTCE."""

    iri: str
    kind: str
    label: str = ""
    categories: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def attributes(self) -> dict[str, str]:
        return {
            "iri": self.iri,
            "key": self.key,
            "label": self.label or self.key,
            "kind": self.kind,
            "category": " | ".join(sorted(self.categories)),
        }


@dataclass
class Edge:
    """An edge, with its weight and string attributes."""

    source: str
    target: str
    weight: int = 0
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Network:
    """One of the graphs: nodes by IRI, undirected edges."""

    name: str
    nodes: dict[str, Node]
    edges: list[Edge]
    edge_keys: tuple[str, ...]

    def to_graphml(self) -> str:
        """GraphML (http://graphml.graphdrawing.org): string attributes, an integer weight."""
        ns = "http://graphml.graphdrawing.org/xmlns"
        root = ET.Element("graphml", {"xmlns": ns})
        node_keys = ("iri", "key", "label", "kind", "category")
        for name in node_keys:
            ET.SubElement(
                root,
                "key",
                {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": "string"},
            )
        ET.SubElement(
            root,
            "key",
            {"id": "e_weight", "for": "edge", "attr.name": "weight", "attr.type": "int"},
        )
        for name in self.edge_keys:
            ET.SubElement(
                root,
                "key",
                {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": "string"},
            )
        graph = ET.SubElement(root, "graph", {"id": self.name, "edgedefault": "undirected"})
        for node in self.nodes.values():
            element = ET.SubElement(graph, "node", {"id": node.iri})
            for name, value in node.attributes().items():
                ET.SubElement(element, "data", {"key": f"n_{name}"}).text = value
        for i, edge in enumerate(self.edges):
            element = ET.SubElement(
                graph, "edge", {"id": f"e{i}", "source": edge.source, "target": edge.target}
            )
            ET.SubElement(element, "data", {"key": "e_weight"}).text = str(edge.weight)
            for name in self.edge_keys:
                ET.SubElement(element, "data", {"key": f"e_{name}"}).text = edge.attributes[name]
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"

    def to_gexf(self) -> str:
        """GEXF 1.3 (Gephi): node labels, attributes, weighted undirected edges."""
        ns = "http://gexf.net/1.3"
        root = ET.Element("gexf", {"xmlns": ns, "version": "1.3"})
        meta = ET.SubElement(root, "meta")
        ET.SubElement(meta, "creator").text = "ptce_kg"
        ET.SubElement(meta, "description").text = f"PTCE network: {self.name}"
        graph = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
        node_attrs = ("iri", "key", "kind", "category")
        for cls, names in (("node", node_attrs), ("edge", self.edge_keys)):
            attributes = ET.SubElement(graph, "attributes", {"class": cls})
            for i, name in enumerate(names):
                ET.SubElement(
                    attributes, "attribute", {"id": str(i), "title": name, "type": "string"}
                )
        nodes = ET.SubElement(graph, "nodes")
        for node in self.nodes.values():
            attrs = node.attributes()
            element = ET.SubElement(nodes, "node", {"id": node.iri, "label": attrs["label"]})
            values = ET.SubElement(element, "attvalues")
            for i, name in enumerate(node_attrs):
                ET.SubElement(values, "attvalue", {"for": str(i), "value": attrs[name]})
        edges = ET.SubElement(graph, "edges")
        for i, edge in enumerate(self.edges):
            element = ET.SubElement(
                edges,
                "edge",
                {
                    "id": str(i),
                    "source": edge.source,
                    "target": edge.target,
                    "weight": str(edge.weight),
                },
            )
            values = ET.SubElement(element, "attvalues")
            for j, name in enumerate(self.edge_keys):
                ET.SubElement(values, "attvalue", {"for": str(j), "value": edge.attributes[name]})
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"

    def to_csv(self) -> str:
        """The edge list (Gephi's spreadsheet import reads ``Source``, ``Target``, ``Weight``),
        with both ends' labels and kinds, then the edge attributes."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                "Source",
                "Target",
                "Weight",
                "source_label",
                "target_label",
                "source_kind",
                "target_kind",
                *self.edge_keys,
            ]
        )
        for edge in self.edges:
            a, b = self.nodes[edge.source].attributes(), self.nodes[edge.target].attributes()
            writer.writerow(
                [
                    edge.source,
                    edge.target,
                    edge.weight,
                    a["label"],
                    b["label"],
                    a["kind"],
                    b["kind"],
                    *(edge.attributes[k] for k in self.edge_keys),
                ]
            )
        return buffer.getvalue()

    def serialize(self, fmt: str) -> str:
        """The network in ``fmt`` (graphml, gexf or csv).

        Raises:
            QueryError: another format.
        """
        writers = {"graphml": self.to_graphml, "gexf": self.to_gexf, "csv": self.to_csv}
        if fmt not in writers:
            raise QueryError(
                f"parameter 'format': {fmt!r} is not a network format",
                hint=f"use one of {', '.join(writers)}",
            )
        return writers[fmt]()


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _labels(store: Store, nodes: Iterable[Node], lang: str) -> None:
    """Set each node's label: in ``lang``, else the other language, else any."""
    by_iri = {n.iri: n for n in nodes}
    order = (lang, *(other for other in LANGUAGES if other != lang), "")
    iris = sorted(by_iri)
    for start in range(0, len(iris), 500):
        chunk = " ".join(URIRef(i).n3() for i in iris[start : start + 500])
        found: dict[str, dict[str, str]] = {}
        for row in store.query(_LABELS % chunk).bindings():
            label = row["label"]
            tag = label.language or "" if isinstance(label, Literal) else ""
            current = found.setdefault(str(row["node"]), {})
            if tag not in current or str(label) < current[tag]:
                current[tag] = str(label)
        for iri, labels in found.items():
            by_iri[iri].label = next((labels[t] for t in order if t in labels), "")


@dataclass
class _Link:
    """The memberships of one actor in one PTCE: roles, period (empty: open or unknown)."""

    start: str
    end: str
    roles: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, role: str, start: str, end: str) -> None:
        if role:
            self.roles.add(role)
        self.start = min(self.start, start) if self.start and start else ""
        self.end = max(self.end, end) if self.end and end else ""
        self.count += 1


def load_network(
    store: Store, graph: str = "bipartite", *, lang: str = "fr", as_of: date | None = None
) -> Network:
    """Build ``graph`` (bipartite, ptces or actors) from the memberships of ``store``.

    Raises:
        QueryError: an unknown graph or language.
    """
    if graph not in GRAPHS:
        raise QueryError(
            f"parameter 'graph': {graph!r} is not a network", hint=f"use one of {', '.join(GRAPHS)}"
        )
    if lang not in LANGUAGES:
        raise QueryError(f"parameter 'lang': {lang!r} is not a label language", hint="fr or en")
    text = _MEMBERSHIPS
    if as_of is not None:  # a VALUES block written from the date's own term
        day = Literal(as_of.isoformat(), datatype=XSD.date).n3()
        text = text.replace("WHERE {", f"WHERE {{\n  VALUES ?at {{ {day} }}", 1)
    nodes: dict[str, Node] = {}
    links: dict[tuple[str, str], _Link] = {}
    seen: set[tuple[str, ...]] = set()
    for row in store.query(text).bindings():
        ptce, actor = str(row["ptce"]), str(row["actor"])
        nodes.setdefault(ptce, Node(ptce, "ptce", categories={"PTCE"}))
        node = nodes.setdefault(actor, Node(actor, "actor"))
        if row.get("class") is not None:
            node.categories.add(_local(str(row["class"])))
        role = _local(str(row["role"])) if row.get("role") is not None else ""
        start, end = str(row.get("start") or ""), str(row.get("end") or "")
        once = (ptce, actor, role, start, end)
        if once not in seen:  # the same membership comes once per class of its member
            seen.add(once)
            links.setdefault((actor, ptce), _Link(start=start, end=end)).add(role, start, end)
    _labels(store, nodes.values(), lang)
    if graph == "bipartite":
        edges = [
            Edge(
                actor,
                ptce,
                link.count,
                {"roles": " | ".join(sorted(link.roles)), "start": link.start, "end": link.end},
            )
            for (actor, ptce), link in sorted(links.items())
        ]
        return Network(graph, dict(sorted(nodes.items())), edges, ("roles", "start", "end"))
    kind = "ptce" if graph == "ptces" else "actor"
    groups: dict[str, set[str]] = {}  # the other kind → the nodes of ``kind`` it links
    for actor, ptce in links:
        by, member = (actor, ptce) if kind == "ptce" else (ptce, actor)
        groups.setdefault(by, set()).add(member)
    shared: dict[tuple[str, str], set[str]] = {}
    for by, members in groups.items():
        for a, b in itertools.combinations(sorted(members), 2):
            shared.setdefault((a, b), set()).add(by)
    kept = {n for pair in shared for n in pair} | {
        n for members in groups.values() for n in members
    }
    projected = [
        Edge(a, b, len(via), {"shared": " | ".join(sorted(nodes[v].key for v in via))})
        for (a, b), via in sorted(shared.items())
    ]
    return Network(
        graph,
        {iri: nodes[iri] for iri in sorted(kept)},
        projected,
        ("shared",),
    )


__all__ = ["FORMATS", "GRAPHS", "Edge", "Network", "Node", "load_network"]
