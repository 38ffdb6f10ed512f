"""How deep a text nests brackets, found before any parser sees it (a leaf: imports nothing of
ptce_kg).

Oxigraph's parsers recurse on nesting: its JSON-LD parser overflowed its stack (SIGSEGV, after
~5 GB) on objects nested 3,000-6,000 deep, its N-Triples/Turtle parsers on triple terms
``<<( … )>>`` nested 10,000-20,000 deep, its SPARQL parser on ~5,000 nested groups or
parentheses; and what its Turtle parser accepts (20,000 nested ``[ … ]``) made recursive Python
code downstream raise RecursionError. So every text that reaches a parser is scanned first: one
pass over the bytes (a regular expression that skips strings, IRIs and comments whole), and a
text whose brackets nest deeper than the limit is refused, with the line and column of the
bracket that went over.

What counts, by syntax:

- ``turtle`` (Turtle, TriG, N-Triples, N-Quads): ``[``, ``(``, ``{`` and ``<<`` (triple terms),
  outside strings, IRIs, comments and escaped characters of prefixed names.
- ``sparql``: the same; but as ``<`` is also "less than" in SPARQL, a ``<…>`` token is skipped
  only after its own opening brackets are counted (never its closing ones): the count can only be
  too high, never too low.
- ``json`` (JSON-LD): ``{`` and ``[`` outside strings.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from typing import Literal

#: Brackets a document or a query may nest (``[ [ … ] ]``, ``( ( … ) )``, JSON objects and
#: arrays, triple terms, SPARQL groups). Real data nests a few levels; the parsers crashed a few
#: thousand levels deep.
MAX_NESTING_DEPTH = 1000

Syntax = Literal["turtle", "sparql", "json"]

_STRINGS = (
    rb'"""(?:[^"\\]++|\\.|"(?!""))*+"""'
    rb"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"
    rb'|"(?:[^"\\\r\n]++|\\.)*+"'
    rb"|'(?:[^'\\\r\n]++|\\.)*+'"
)
_IRI = rb'<[^<>"{}|^`\\\x00-\x20]*+>'
_TOKENS: dict[Syntax, re.Pattern[bytes]] = {
    "turtle": re.compile(
        rb"(?P<skip>#[^\r\n]*+|" + _STRINGS + rb"|" + _IRI + rb"|\\.)"
        rb"|(?P<open><<|[\[({])|(?P<close>>>|[\])}])",
        re.DOTALL,
    ),
    "sparql": re.compile(
        rb"(?P<skip>#[^\r\n]*+|" + _STRINGS + rb")|(?P<iri>" + _IRI + rb")"
        rb"|(?P<open><<|[\[({])|(?P<close>>>|[\])}])",
        re.DOTALL,
    ),
    "json": re.compile(
        rb'(?P<skip>"(?:[^"\\]++|\\.)*+")|(?P<open>[\[{])|(?P<close>[\]}])', re.DOTALL
    ),
}
_OPENERS: dict[Syntax, tuple[bytes, ...]] = {
    "turtle": (b"[", b"(", b"{", b"<<"),
    "sparql": (b"[", b"(", b"{", b"<<"),
    "json": (b"[", b"{"),
}
_IRI_OPENERS = re.compile(rb"<<|[\[({]")
_ANY_OPENER: dict[Syntax, re.Pattern[bytes]] = {
    "turtle": _IRI_OPENERS,
    "sparql": _IRI_OPENERS,
    "json": re.compile(rb"[\[{]"),
}
#: What is counted, by syntax, for messages.
BRACKETS: dict[Syntax, str] = {
    "turtle": "brackets ([ ( { <<)",
    "sparql": "brackets ({ ( [ <<)",
    "json": "JSON objects and arrays",
}


@dataclass(frozen=True)
class TooDeep:
    """Where a text first nests deeper than allowed: 1-based line and column (in characters)."""

    depth: int
    line: int
    column: int


def find_too_deep(
    text: bytes | str | mmap.mmap, syntax: Syntax, limit: int = MAX_NESTING_DEPTH
) -> TooDeep | None:
    """Return where ``text`` first nests brackets deeper than ``limit``, or ``None``.

    ``text`` may be a memory map of a file (large dumps are not read into memory). Linear in the
    size of the text; a text with no more than ``limit`` opening brackets in all is not scanned
    further.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if _openers(data, syntax, limit) <= limit:
        return None
    depth = 0
    for m in _TOKENS[syntax].finditer(data):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > limit:
                return _located(data, m.start(), depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "iri":  # sparql: `<` may be "less than", so what it holds may be brackets
            for inner in _IRI_OPENERS.finditer(m.group()):
                depth += 1
                if depth > limit:
                    return _located(data, m.start() + inner.start(), depth)
    return None


def _openers(data: bytes | mmap.mmap, syntax: Syntax, limit: int) -> int:
    """How many opening brackets ``data`` holds (counting stops past ``limit`` for a map)."""
    if isinstance(data, bytes):
        return sum(data.count(opener) for opener in _OPENERS[syntax])
    seen = 0
    for _ in _ANY_OPENER[syntax].finditer(data):
        seen += 1
        if seen > limit:
            break
    return seen


def _located(data: bytes | mmap.mmap, offset: int, depth: int) -> TooDeep:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    line = bytes(data[:offset]).count(b"\n") + 1
    return TooDeep(depth=depth, line=line, column=column)
