"""What a dataset covers, read from its data: the period its facts are dated in, the places it has
points for. Both change only when the data change (never with the time of a build).

- **Temporal**: every date the facts state (``xsd:date``, ``xsd:gYear``, ``xsd:gYearMonth``,
  ``xsd:dateTime`` literals: foundings, memberships, recognitions, indicators, legal-form
  changes…), not the dates that document the documentation (when a source was published or
  accessed, when a search found nothing). A year counts from its first to its last day; the period
  runs from the earliest first day to the latest last day, each stated by the literal that gives
  it, as written (``"1982"^^xsd:gYear``).
- **Spatial**: the WKT points (``geo:hasGeometry/geo:asWKT``) of the territories the dataset's
  subjects are located in (``ptce:basedIn``, ``ptce:coversTerritory``), or of every territory for
  the territories themselves; as GeoDCAT-AP asks, their envelope (``dcat:bbox``), the centroid of
  the points (``dcat:centroid``) and the points themselves (``locn:geometry``), WKT in CRS84.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import Literal
from rdflib.namespace import XSD

from ptce_kg.store import Store

_DATES = """PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?d WHERE {
  ?s ?p ?d .
  FILTER(isLiteral(?d) && DATATYPE(?d) IN (xsd:date, xsd:gYear, xsd:gYearMonth, xsd:dateTime))
  FILTER(?p NOT IN (ptce:searchedOn, ptce:accessed))
  FILTER NOT EXISTS { ?s a ptce:SourceDocument }
}"""
_PREFIXES = """PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
"""
#: Points of the territories the data's subjects are located in.
LOCATED_POINTS = (
    _PREFIXES + "SELECT DISTINCT ?wkt WHERE { ?s ptce:basedIn|ptce:coversTerritory ?t . "
    "?t geo:hasGeometry/geo:asWKT ?wkt }"
)
#: Points of every territory.
TERRITORY_POINTS = _PREFIXES + "SELECT DISTINCT ?wkt WHERE { ?t geo:hasGeometry/geo:asWKT ?wkt }"
_LEXICAL = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")
_WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE
)
_PRECISION = 5


def date_span(literal: Literal) -> tuple[date, date] | None:
    """The first and last day a date literal covers (a year: 1 January to 31 December)."""
    match = _LEXICAL.match(str(literal))
    if match is None:
        return None
    try:
        year = int(match.group(1))
        if literal.datatype == XSD.gYear:
            return date(year, 1, 1), date(year, 12, 31)
        month = int(match.group(2) or 0)
        if literal.datatype == XSD.gYearMonth:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date(year, month, int(match.group(3) or 0))
    except ValueError:  # an ill-formed literal dates nothing
        return None
    return day, day


def temporal_coverage(store: Store, graphs: Sequence[str]) -> tuple[Literal, Literal] | None:
    """The literals that start and end the period the facts of ``graphs`` are dated in."""
    spans = []
    for row in store.query(_DATES, default_graph=list(graphs)).bindings():
        value = row["d"]
        if isinstance(value, Literal) and (span := date_span(value)) is not None:
            spans.append((span, value))
    if not spans:
        return None
    start = min(spans, key=lambda s: (s[0][0], str(s[1])))[1]
    end = max(spans, key=lambda s: (s[0][1], str(s[1])))[1]
    return start, end


@dataclass(frozen=True)
class Extent:
    """A spatial extent in WKT (CRS84: longitude, then latitude)."""

    bbox: str
    centroid: str
    geometry: str


def _number(value: float) -> str:
    return f"{round(value, _PRECISION):.{_PRECISION}f}".rstrip("0").rstrip(".")


def extent_of(points: Sequence[tuple[float, float]]) -> Extent | None:
    """The envelope, centroid and multipoint of ``points`` (``(lon, lat)``)."""
    if not points:
        return None
    ordered = sorted(set(points))
    lons, lats = [p[0] for p in ordered], [p[1] for p in ordered]
    west, east, south, north = (_number(v) for v in (min(lons), max(lons), min(lats), max(lats)))
    ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
    centroid = f"POINT({_number(sum(lons) / len(lons))} {_number(sum(lats) / len(lats))})"
    multipoint = ", ".join(f"({_number(lon)} {_number(lat)})" for lon, lat in ordered)
    return Extent(f"POLYGON(({ring}))", centroid, f"MULTIPOINT({multipoint})")


def spatial_extent(store: Store, graphs: Sequence[str], query: str) -> Extent | None:
    """The extent of the WKT points ``query`` (binding ``?wkt``) finds in ``graphs``."""
    points = []
    for row in store.query(query, default_graph=list(graphs)).bindings():
        match = _WKT_POINT.match(str(row.get("wkt", "")))
        if match:
            points.append((float(match.group(1)), float(match.group(2))))
    return extent_of(points)


__all__ = [
    "LOCATED_POINTS",
    "TERRITORY_POINTS",
    "Extent",
    "date_span",
    "extent_of",
    "spatial_extent",
    "temporal_coverage",
]
