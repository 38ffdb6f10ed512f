"""The text of a SHACL-SPARQL ``sh:select``: checked, then pre-bound, as SHACL 5.2.1 says.

A query is read as tokens (comments, strings and IRIs kept whole, so a keyword inside a string
never counts) and refused when the spec forbids it: ``MINUS``, ``VALUES`` and ``SERVICE`` (a shape
can therefore never make the validator contact another host), ``AS`` a pre-bound variable, and a
sub-select that does not project ``$this`` (``SELECT *`` included).

``$this`` is pre-bound either way the spec allows:

- *head join* (:func:`head_join_safe`): when ``$this`` only occurs where joining the focus pattern
  at the head of the outer group gives the same answers (top-level triple patterns, filters,
  ``BIND``, one level of ``OPTIONAL`` / ``EXISTS`` groups), the query runs once for all focus nodes;
- *substitution* (:func:`substitute`): otherwise (``UNION``, nested groups, sub-selects, ``GRAPH``)
  every occurrence of ``$this`` is replaced by the focus node, one query per focus node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptce_kg.validate._shapes import UnsupportedShapeError

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W]\w*)
  | (?P<word>[^\W\d][\w-]*(?:\.[\w-]+)*(?::[\w.%-]*)?|:[\w.%-]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.X | re.S,
)

FORBIDDEN = {"MINUS", "VALUES", "SERVICE"}
PRE_BOUND = {"this", "shapesGraph", "currentShape"}
_CLAUSE_END = {"HAVING", "ORDER", "LIMIT", "OFFSET", "GROUP", "VALUES", "WHERE"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    def is_var(self, name: str) -> bool:
        return self.kind == "var" and self.text[1:] == name


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL query (whitespace and comments included, so ``"".join`` is
    the text)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        out.append(Token(kind, m.group()))
    if "".join(t.text for t in out) != text:  # pragma: no cover - the regex matches everything
        raise UnsupportedShapeError("SPARQL text could not be read")
    return out


def _significant(toks: list[Token]) -> list[tuple[int, Token]]:
    return [(i, t) for i, t in enumerate(toks) if t.kind not in {"space", "comment"}]


def check(toks: list[Token], where: str, pre_bound: frozenset[str] = frozenset()) -> None:
    """Refuse what SHACL 5.2.1 forbids in a query with pre-bound variables.

    Raises:
        UnsupportedShapeError: naming the construct.
    """
    sig = [t for _, t in _significant(toks)]
    selects = 0
    for k, t in enumerate(sig):
        if t.upper in FORBIDDEN:
            raise UnsupportedShapeError(
                f"{where}: {t.upper} is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)"
            )
        if t.upper == "AS" and k + 1 < len(sig) and sig[k + 1].kind == "var":
            name = sig[k + 1].text[1:]
            if name in PRE_BOUND or name in pre_bound:
                raise UnsupportedShapeError(
                    f"{where}: AS ?{name} rebinds a pre-bound variable (SHACL 5.2.1)"
                )
        if t.upper == "SELECT":
            selects += 1
            if selects > 1:
                projection = _projection(sig, k)
                if any(p.text == "*" for p in projection) or not any(
                    p.is_var("this") for p in projection
                ):
                    raise UnsupportedShapeError(
                        f"{where}: a sub-select must project $this (SHACL 5.2.1)"
                    )


def _projection(sig: list[Token], select: int) -> list[Token]:
    out = []
    for t in sig[select + 1 :]:
        if t.upper == "WHERE" or t.text == "{":
            break
        out.append(t)
    return out


def head_join_safe(toks: list[Token]) -> bool:
    """True when joining the focus pattern at the head of the outer group pre-binds ``$this``.

    That is the case when the outer group holds triple patterns, filters, ``BIND`` and
    ``OPTIONAL``/``EXISTS`` groups that do not nest further, with no sub-select, ``UNION`` or
    ``GRAPH``: every ``$this`` is then in scope of the head join.
    """
    sig = [t for _, t in _significant(toks)]
    if sum(t.upper == "SELECT" for t in sig) != 1:
        return False
    if any(t.upper in {"UNION", "GRAPH"} for t in sig):
        return False
    depth = 0
    previous: Token | None = None
    for t in sig:
        if t.text == "{":
            depth += 1
            if depth > 2 or (
                depth == 2
                and previous is not None
                and previous.upper
                not in {
                    "OPTIONAL",
                    "EXISTS",
                }
            ):
                return False
        elif t.text == "}":
            depth -= 1
        previous = t
    return True


def substitute(toks: list[Token], constants: dict[str, str]) -> str:
    """The query with every pre-bound variable (``constants``: name → SPARQL term) replaced.

    A pre-bound variable projected by a sub-select becomes ``(constant AS ?var)`` (the outer
    query does not project it: the caller knows the values), ``bound($var)`` becomes ``(true)``
    and ``$var`` in ``GROUP BY``/``ORDER BY`` becomes ``(constant)``, so the text stays a query.
    """
    sig = _significant(toks)
    out = [t.text for t in toks]
    clause = ""  # "select" (projection), "by" (GROUP/ORDER BY) or ""
    depth = 0  # parentheses within the clause
    selects = 0
    outer_items = 0  # what the outer projection keeps
    outer_end = -1  # where to add a placeholder if it keeps nothing
    for k, (i, t) in enumerate(sig):
        if t.upper == "SELECT":
            clause, depth = "select", 0
            selects += 1
            continue
        if t.upper == "BY" and k > 0 and sig[k - 1][1].upper in {"GROUP", "ORDER"}:
            clause, depth = "by", 0
            continue
        if clause and (t.upper in _CLAUSE_END or t.text in {"{", "}"}):
            if clause == "select" and selects == 1:
                outer_end = i
            clause = ""
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        outer = clause == "select" and selects == 1
        if outer and depth == 0 and t.upper not in {"DISTINCT", "REDUCED"}:
            outer_items += not _pre_bound(t, constants) and t.text != ")"
        elif outer and depth == 1 and t.text == "(":
            outer_items += 1
        if not _pre_bound(t, constants):
            continue
        constant = constants[t.text[1:]]
        if (
            k >= 2
            and sig[k - 1][1].text == "("
            and sig[k - 2][1].upper == "BOUND"
            and k + 1 < len(sig)
            and sig[k + 1][1].text == ")"
        ):
            out[sig[k - 2][0]] = "(true)"
            out[sig[k - 1][0]] = out[i] = out[sig[k + 1][0]] = ""
            continue
        if clause == "select" and depth == 0:
            out[i] = "" if selects == 1 else f"({constant} AS ?{t.text[1:]})"
        elif clause == "by" and depth == 0:
            out[i] = f"({constant})"
        else:
            out[i] = constant
    if outer_items == 0 and outer_end >= 0:
        out[outer_end] = "(true AS ?_prebound) " + out[outer_end]
    return "".join(out)


def _pre_bound(t: Token, constants: dict[str, str]) -> bool:
    return t.kind == "var" and t.text[1:] in constants
