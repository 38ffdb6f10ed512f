"""Dates as OWL-Time intervals (docs/decisions/0007-standard-patterns.md).

A date keeps the precision its source gives (``2016``, ``2016-06``, ``2016-06-30``) and names the
period ``id/period/<as stated>``; it is compared through the ``xsd:date`` of the period's first or
last day, a ``time:Instant`` ``id/instant/<yyyy-mm-dd>``. A membership's start and end bound its
``org:memberDuring`` interval.
"""

from __future__ import annotations

import calendar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, XSD

from ptce_kg.namespaces import DEFAULT_BASE, PTCE, TIME, mint_iri


def period_bounds(text: str) -> tuple[str, str, str]:
    """The first day, last day and xsd:duration of the period a date names (``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD``): ``2016`` is 2016-01-01 to 2016-12-31, ``P1Y``."""
    year = int(text[:4])
    if len(text) == 4:
        return f"{year:04d}-01-01", f"{year:04d}-12-31", "P1Y"
    month = int(text[5:7])
    if len(text) == 7:
        last = calendar.monthrange(year, month)[1]
        return f"{text}-01", f"{text}-{last:02d}", "P1M"
    return text, text, "P1D"


def describe_instant(g: Graph, day: str, base: str = DEFAULT_BASE) -> URIRef:
    """Add the ``time:Instant`` of one day (``yyyy-mm-dd``) with its ``time:inXSDDate``."""
    instant = mint_iri("instant", day, base=base)
    g.add((instant, RDF.type, TIME.Instant))
    g.add((instant, TIME.inXSDDate, Literal(day, datatype=XSD.date)))
    return instant


def describe_period(g: Graph, text: str, base: str = DEFAULT_BASE) -> URIRef:
    """Add the interval a stated date names: ``id/period/<text>``, a ``time:ProperInterval``
    labelled as stated, its duration, and its first and last days as ``time:Instant``s."""
    first, last, duration = period_bounds(text)
    period = mint_iri("period", text, base=base)
    g.add((period, RDF.type, TIME.ProperInterval))
    g.add((period, RDFS.label, Literal(text)))
    g.add((period, TIME.hasXSDDuration, Literal(duration, datatype=XSD.duration)))
    g.add((period, TIME.hasBeginning, describe_instant(g, first, base)))
    g.add((period, TIME.hasEnd, describe_instant(g, last, base)))
    return period


def add_member_during(
    g: Graph, membership: URIRef, interval: URIRef, start: str, end: str, base: str = DEFAULT_BASE
) -> bool:
    """Give ``membership`` an ``org:memberDuring`` interval from the first day of ``start`` to
    the last day of ``end`` (either may be empty: an open bound). The instants are named, not
    described (the caller describes them once). False when both are empty."""
    if not start and not end:
        return False
    g.add((membership, ORG.memberDuring, interval))
    g.add((interval, RDF.type, TIME.ProperInterval))
    if start:
        g.add(
            (interval, TIME.hasBeginning, mint_iri("instant", period_bounds(start)[0], base=base))
        )
    if end:
        g.add((interval, TIME.hasEnd, mint_iri("instant", period_bounds(end)[1], base=base)))
    return True


def add_member_intervals(g: Graph, base: str = DEFAULT_BASE) -> None:
    """Give every membership of ``g`` that has a ``ptce:startDate`` or ``ptce:endDate`` its
    ``org:memberDuring`` interval ``id/interval/<membership key>``, with its instants described in
    ``g`` (the spreadsheet import: one source graph of its own)."""
    prefix = str(mint_iri("membership", "x", base=base))[:-1]
    for membership in sorted(set(g.subjects(RDF.type, ORG.Membership)), key=str):
        if not isinstance(membership, URIRef) or not str(membership).startswith(prefix):
            continue
        start = g.value(membership, PTCE.startDate)
        end = g.value(membership, PTCE.endDate)
        texts = [str(v)[:10] if v is not None else "" for v in (start, end)]
        interval = mint_iri("interval", str(membership)[len(prefix) :], base=base)
        if add_member_during(g, membership, interval, texts[0], texts[1], base):
            for text, side in zip(texts, (0, 1), strict=True):
                if text:
                    describe_instant(g, period_bounds(text)[side], base)
