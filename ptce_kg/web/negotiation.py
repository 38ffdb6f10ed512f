"""Media types the endpoint speaks, and content negotiation (pure functions, no HTTP objects).

``choose_media_type(accept, offers)`` follows RFC 9110 §12.5.1: each offered type takes the
quality of the most specific media range that matches it (``type/subtype`` over ``type/*`` over
``*/*``); the offer with the highest non-zero quality wins, ties going to the server's order of
preference. A ``format``/``output``/``results`` request parameter (as sent by SPARQLWrapper, YASGUI
and others) overrides the ``Accept`` header when it names a known format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ptce_kg.formats import (
    DOCUMENT_FORMATS,
    GRAPH_FORMATS,
    RESULTS_MEDIA_TYPES,
    RdfFormat,
    ResultsFormat,
)

# The media types of ptce_kg.formats, by the short names the handlers use.
SPARQL_JSON = ResultsFormat.JSON.media_type
SPARQL_XML = ResultsFormat.XML.media_type
CSV = ResultsFormat.CSV.media_type
TSV = ResultsFormat.TSV.media_type
TURTLE = RdfFormat.TURTLE.media_type
N_TRIPLES = RdfFormat.N_TRIPLES.media_type
RDF_XML = RdfFormat.RDF_XML.media_type
JSON_LD = RdfFormat.JSON_LD.media_type
N_QUADS = RdfFormat.N_QUADS.media_type
TRIG = RdfFormat.TRIG.media_type
HTML = "text/html"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"

#: Formats for SELECT and ASK results, in the server's order of preference.
RESULT_TYPES: tuple[str, ...] = RESULTS_MEDIA_TYPES
#: Formats for CONSTRUCT and DESCRIBE results, in order of preference.
GRAPH_TYPES: tuple[str, ...] = tuple(fmt.media_type for fmt in GRAPH_FORMATS)
#: Formats of a one-graph RDF document (resources, descriptions, the catalogue), in order of
#: preference (Turtle first: ``*/*`` gets it).
DOCUMENT_TYPES: tuple[str, ...] = tuple(fmt.media_type for fmt in DOCUMENT_FORMATS)

#: The exact ``Content-Type`` sent for each media type: ``charset`` only where the registration
#: defines that parameter (text/turtle, text/csv, text/html); JSON- and application/* types are
#: UTF-8 by definition and some clients (Comunica) reject unknown parameters.
CONTENT_TYPES: Mapping[str, str] = {
    SPARQL_JSON: SPARQL_JSON,
    SPARQL_XML: SPARQL_XML,
    CSV: f"{CSV}; charset=utf-8",
    TSV: TSV,
    TURTLE: f"{TURTLE}; charset=utf-8",
    N_TRIPLES: N_TRIPLES,
    RDF_XML: RDF_XML,
    JSON_LD: JSON_LD,
    N_QUADS: N_QUADS,
    TRIG: TRIG,
    HTML: f"{HTML}; charset=utf-8",
}

#: Generic types some clients ask for, answered with the registered type they stand for.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "application/json": (SPARQL_JSON, JSON_LD),
    "application/xml": (SPARQL_XML, RDF_XML),
    "text/xml": (SPARQL_XML, RDF_XML),
    "application/x-turtle": (TURTLE,),
    "text/plain": (N_TRIPLES,),
}

#: Names accepted in ``format``/``output``/``results`` parameters: (results type, graph type).
FORMAT_NAMES: Mapping[str, tuple[str | None, str | None]] = {
    "json": (SPARQL_JSON, JSON_LD),
    "srj": (SPARQL_JSON, None),
    "xml": (SPARQL_XML, RDF_XML),
    "srx": (SPARQL_XML, None),
    "csv": (CSV, None),
    "tsv": (TSV, None),
    "turtle": (None, TURTLE),
    "ttl": (None, TURTLE),
    "n3": (None, TURTLE),
    "nt": (None, N_TRIPLES),
    "ntriples": (None, N_TRIPLES),
    "n-triples": (None, N_TRIPLES),
    "rdf": (None, RDF_XML),
    "rdfxml": (None, RDF_XML),
    "rdf+xml": (None, RDF_XML),
    "rdf/xml": (None, RDF_XML),
    "json-ld": (None, JSON_LD),
    "jsonld": (None, JSON_LD),
    "nq": (None, N_QUADS),
    "nquads": (None, N_QUADS),
    "n-quads": (None, N_QUADS),
    "trig": (None, TRIG),
}
#: Request parameters that clients use to name a format.
FORMAT_PARAMETERS: tuple[str, ...] = ("format", "output", "results")


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        """Tell whether this range covers ``media_type`` (a bare ``type/subtype``)."""
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header; a missing or empty header means ``*/*``.

    Malformed elements are skipped; a malformed ``q`` counts as 1 (be liberal in what you accept).
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """Return the quality ``ranges`` give ``media_type`` (its most specific matching range)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


#: ``Accept`` headers up to this length have their choice cached (clients send few distinct ones).
_CACHED_ACCEPT_LENGTH = 512


def choose_media_type(accept: str | None, offers: Iterable[str]) -> str | None:
    """Return the offer the client prefers, or ``None`` when none is acceptable (406).

    A generic type from :data:`ALIASES` (``application/json``…) stands for the registered types it
    names, at a slightly lower rank than an exact match of the same quality.
    """
    offers = tuple(offers)
    if accept is None or len(accept) <= _CACHED_ACCEPT_LENGTH:
        return _choose_cached(accept, offers)
    return _choose(accept, offers)


@lru_cache(maxsize=256)
def _choose_cached(accept: str | None, offers: tuple[str, ...]) -> str | None:
    return _choose(accept, offers)


def _choose(accept: str | None, offers: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for order, offer in enumerate(offers):
        q = quality(ranges, offer)
        exact = 1
        for alias, targets in ALIASES.items():
            if offer in targets:
                alias_q = next((r.q for r in ranges if f"{r.type}/{r.subtype}" == alias), 0.0)
                if alias_q > q:
                    q, exact = alias_q, 0
        if q <= 0:
            continue
        key = (q, exact, -order)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def format_override(params: Mapping[str, Sequence[str]]) -> tuple[str | None, str | None] | None:
    """Return the (results type, graph type) a ``format``-style parameter names, if any.

    A parameter may be a short name (``json``, ``turtle``…) or a media type. Unknown values are
    ignored (the ``Accept`` header then decides).
    """
    for name in FORMAT_PARAMETERS:
        for value in params.get(name, ()):
            key = value.strip().lower()
            if key in FORMAT_NAMES:
                return FORMAT_NAMES[key]
            media = key.split(";")[0].strip()
            if media in RESULT_TYPES:
                return media, None
            if media in GRAPH_TYPES:
                return None, media
            if media in ALIASES:
                targets = ALIASES[media]
                return (
                    next((t for t in targets if t in RESULT_TYPES), None),
                    next((t for t in targets if t in GRAPH_TYPES), None),
                )
    return None


def negotiate_query_types(
    accept: str | None, params: Mapping[str, Sequence[str]]
) -> dict[str, str | None]:
    """Return the media type for each query kind (``select``, ``ask``, ``graph``); ``None`` = 406.

    The query's kind is known only once the engine has parsed it, so both choices are made up front.
    """
    override = format_override(params)
    if override is not None:
        results, graph = override
    else:
        results = choose_media_type(accept, RESULT_TYPES)
        graph = choose_media_type(accept, GRAPH_TYPES)
    return {"select": results, "ask": results, "graph": graph}


def content_type(media_type: str) -> str:
    """Return the exact ``Content-Type`` header value for ``media_type``."""
    return CONTENT_TYPES.get(media_type, media_type)
