"""One lexer for SPARQL queries and updates: the tokens that matter to find groups and keywords.

Strings, IRIs, variables and comments are read whole, so that a ``{``, a ``WHERE`` or a ``#``
inside them is never taken for syntax; that is all ptce_kg asks of SPARQL text before an engine
parses it (where to put a ``VALUES`` block, where an update's ``WHERE`` is, which form a query has).

Kinds: ``ws``, ``comment``, ``string``, ``iri``, ``var``, ``open`` (``{``), ``close`` (``}``),
``word`` (a keyword or a prefixed name, ``ex:name``, ``:name``, ``_:b0``, ``é:x``: a word
starts with any letter, as SPARQL's ``PN_CHARS_BASE`` allows) and ``other`` (any other
single character: punctuation, operators, the digits of a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$]\w+)
    |(?P<open>\{)|(?P<close>\})
    |(?P<word>[^\W\d][\w.-]*(?::[\w.:%\\-]*)?|:[\w.:%\\-]*)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)

#: Token kinds that carry no syntax for ptce_kg's purposes.
BLANK = frozenset({"ws", "comment"})


def tokens(text: str, start: int = 0) -> Iterator[re.Match[str]]:
    """The tokens of ``text`` from offset ``start`` (a token boundary), blanks and comments
    left out; ``m.lastgroup`` is the kind, ``m.group()`` the text, ``m.start()``/``m.end()``
    the offsets."""
    for m in TOKEN.finditer(text, start):
        if m.lastgroup not in BLANK:
            yield m


def where_groups(text: str, *, first_only: bool = False) -> list[int]:
    """The offsets just after the ``{`` of the top-level ``WHERE`` group, then of every
    sub-select's ``WHERE`` group, in text order (``first_only``: the top-level one only)."""
    found: list[int] = []
    depth = 0
    after_where = False
    for m in tokens(text):
        kind = m.lastgroup
        if kind == "open":
            if after_where:
                found.append(m.end())
                if first_only:
                    break
            depth += 1
        elif kind == "close":
            depth -= 1
        after_where = (
            kind == "word"
            and m.group().upper() == "WHERE"
            and (depth == 0 or (bool(found) and not first_only))
        )
    return found


def group_end(text: str, start: int) -> int:
    """The offset of the ``}`` that closes the group opened just before ``start`` (the length
    of ``text`` if it is not closed)."""
    depth = 1
    for m in tokens(text, start):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return m.start()
    return len(text)
