"""RDF serialisations: media types, extensions and Oxigraph's names for them (a leaf: imports
nothing else of ptce_kg but errors)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ptce_kg.errors import SourceError


class RdfFormat(enum.Enum):
    """RDF serialisations ptce_kg reads and writes, with their media type and file extensions."""

    TURTLE = ("text/turtle", (".ttl",), False)
    TRIG = ("application/trig", (".trig",), True)
    N_TRIPLES = ("application/n-triples", (".nt",), False)
    N_QUADS = ("application/n-quads", (".nq",), True)
    RDF_XML = ("application/rdf+xml", (".rdf", ".owl", ".xml"), False)
    JSON_LD = ("application/ld+json", (".jsonld", ".json"), True)

    def __init__(self, media_type: str, extensions: tuple[str, ...], has_graphs: bool) -> None:
        self.media_type = media_type
        self.extensions = extensions
        self.has_graphs = has_graphs

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
