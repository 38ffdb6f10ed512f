"""RDF serialisations and SPARQL results formats: media types, extensions and Oxigraph's names for
them, the one table of them (a leaf: imports nothing else of ptce_kg but errors)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ptce_kg.errors import SourceError


class RdfFormat(enum.Enum):
    """RDF serialisations ptce_kg reads and writes, with their media type and file extensions."""

    TURTLE = ("text/turtle", (".ttl",), False, "turtle")
    TRIG = ("application/trig", (".trig",), True, "trig")
    N_TRIPLES = ("application/n-triples", (".nt",), False, "nt")
    N_QUADS = ("application/n-quads", (".nq",), True, "nquads")
    RDF_XML = ("application/rdf+xml", (".rdf", ".owl", ".xml"), False, "xml")
    JSON_LD = ("application/ld+json", (".jsonld", ".json"), True, "json-ld")

    def __init__(
        self, media_type: str, extensions: tuple[str, ...], has_graphs: bool, rdflib_name: str
    ) -> None:
        self.media_type = media_type
        self.extensions = extensions
        self.has_graphs = has_graphs
        #: rdflib's name of the format (``Graph.serialize(format=…)``).
        self.rdflib_name = rdflib_name

    @classmethod
    def from_media_type(cls, media_type: str) -> RdfFormat:
        """The format of a bare media type (``text/turtle``).

        Raises:
            KeyError: not the media type of an RDF format of this table.
        """
        for fmt in cls:
            if fmt.media_type == media_type:
                return fmt
        raise KeyError(media_type)

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """Return the format named ``name`` (``turtle``, ``ttl``, ``json-ld``, a media type…)."""
        key = name.strip().lower().replace("-", "_").replace("/", "_")
        aliases = {
            "ttl": cls.TURTLE,
            "nt": cls.N_TRIPLES,
            "ntriples": cls.N_TRIPLES,
            "nq": cls.N_QUADS,
            "nquads": cls.N_QUADS,
            "xml": cls.RDF_XML,
            "rdfxml": cls.RDF_XML,
            "rdf": cls.RDF_XML,
            "jsonld": cls.JSON_LD,
        }
        if key in aliases:
            return aliases[key]
        for fmt in cls:
            if key == fmt.name.lower() or name.strip().lower() == fmt.media_type:
                return fmt
        names = ", ".join(f.name.lower().replace("_", "-") for f in cls)
        raise SourceError(f"unknown RDF format {name!r}", hint=f"use one of {names}")


#: The formats of a one-graph document (a resource, a description, an ontology module, the
#: catalogue), in the server's order of preference: a client that accepts anything gets Turtle.
DOCUMENT_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.JSON_LD,
    RdfFormat.N_TRIPLES,
    RdfFormat.RDF_XML,
)
#: The formats of a CONSTRUCT or DESCRIBE answer, in the server's order of preference.
GRAPH_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.RDF_XML,
    RdfFormat.JSON_LD,
    RdfFormat.N_QUADS,
    RdfFormat.TRIG,
)


def format_for_path(path: Path | str, explicit: str | None = None) -> RdfFormat:
    """Return the RDF format of ``path`` from ``explicit`` or its extension.

    Raises:
        SourceError: if the extension is not one ptce_kg reads and no format was given.
    """
    if explicit:
        return RdfFormat.from_name(explicit)
    suffix = Path(path).suffix.lower()
    for fmt in RdfFormat:
        if suffix in fmt.extensions:
            return fmt
    raise SourceError(
        f"cannot tell the RDF format of {path} from its extension {suffix!r}",
        hint="give --format (turtle, trig, n-triples, n-quads, rdf-xml, json-ld)",
    )


_OXIGRAPH = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.RDF_XML: ox.RdfFormat.RDF_XML,
    RdfFormat.JSON_LD: ox.RdfFormat.JSON_LD,
}


def oxigraph_format(fmt: RdfFormat) -> Any:
    """Oxigraph's format object for ``fmt`` (for the parsers and the embedded store)."""
    return _OXIGRAPH[fmt]


class ResultsFormat(enum.Enum):
    """SPARQL results formats (SELECT and ASK answers), in the order ptce_kg prefers them."""

    JSON = ("application/sparql-results+json", ".srj")
    XML = ("application/sparql-results+xml", ".srx")
    CSV = ("text/csv", ".csv")
    TSV = ("text/tab-separated-values", ".tsv")

    def __init__(self, media_type: str, extension: str) -> None:
        self.media_type = media_type
        self.extension = extension


#: The media types of :class:`ResultsFormat`, in order of preference.
RESULTS_MEDIA_TYPES: tuple[str, ...] = tuple(fmt.media_type for fmt in ResultsFormat)

_OXIGRAPH_RESULTS = {
    ResultsFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultsFormat.XML: ox.QueryResultsFormat.XML,
    ResultsFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultsFormat.TSV: ox.QueryResultsFormat.TSV,
}


def oxigraph_results_format(fmt: ResultsFormat) -> Any:
    """Oxigraph's results format object for ``fmt`` (for the embedded store)."""
    return _OXIGRAPH_RESULTS[fmt]
