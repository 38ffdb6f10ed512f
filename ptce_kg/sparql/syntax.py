"""SPARQL syntax errors a person can act on: what was expected where, the line with a caret, and
for the common mistakes how to fix them.

Oxigraph reports ``error at 3:12: expected one of ",", ".", ['A' ..= 'Z' | …], [_]``: a position
and the parser's whole expectation set, character classes included. :func:`explain_syntax_error`
turns that into::

    SPARQL syntax error at 3:12: expected one of ",", ".", ";", "}"
        3 |   ?ptce a ptce:PTCE
          |            ^

with a hint for the mistakes people make most:

- a prefix used but not declared: the ``PREFIX`` lines to add, from the project's prefixes
  (:data:`ptce_kg.namespaces.PREFIXES`) when it is one of them;
- a variable selected but neither grouped nor aggregated (``SELECT ?x (COUNT(?y) AS ?n)`` without
  ``GROUP BY ?x``): which one, and the two ways out;
- a group left open, a misspelt query form (``SELEC``).

The same :class:`~ptce_kg.errors.QueryError` reaches the HTTP 400 body (``message``, ``hint``,
``line``, ``column``) and the terminal.
"""

from __future__ import annotations

import difflib
import re

from ptce_kg.errors import QueryError

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PREFIX_NOT_FOUND = "Prefix not found"
_UNBOUND_SELECT = "The SELECT contains a variable that is unbound"
# Tokens whose text is not syntax: comments, strings, IRIs.
_SKIP = re.compile(
    r"#[^\n]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|<[^<>\"{}|^`\\\s]*>",
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\])")
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_VARIABLE = re.compile(r"[?$](\w+)")
MAX_EXPECTED = 12


def _code(sparql: str) -> str:
    """``sparql`` with comments, strings and IRIs blanked (same length: offsets still hold)."""
    parts = []
    last = 0
    for m in _SKIP.finditer(sparql):
        parts.append(sparql[last : m.start()])
        parts.append(" " * (m.end() - m.start()))
        last = m.end()
    parts.append(sparql[last:])
    return "".join(parts)


def _expected(raw: str) -> list[str]:
    """The tokens of Oxigraph's expectation set a reader can use (no character classes)."""
    items: list[str] = []
    depth = 0
    current = ""
    quoted = False
    for char in raw:  # split on commas outside [...] and "..."
        if char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            depth += 1
        elif char == "]" and not quoted:
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    wanted = []
    for item in items:
        item = item.removeprefix("one of ").strip()
        if not item or item.startswith("[") or item in (_PREFIX_NOT_FOUND, _UNBOUND_SELECT):
            continue
        wanted.append(item)
    return wanted


def _excerpt(sparql: str, line: int, column: int) -> str:
    lines = sparql.splitlines() or [""]
    index = min(max(line, 1), len(lines)) - 1
    text = lines[index].expandtabs(1)
    number = str(index + 1)
    caret = " " * (min(max(column, 1), len(text) + 1) - 1) + "^"
    return f"    {number} | {text}\n    {' ' * len(number)} | {caret}"


def undeclared_prefixes(sparql: str) -> list[str]:
    """The prefixes ``sparql`` uses (``ptce:PTCE``) without a ``PREFIX`` line, in order of use."""
    code = _code(sparql)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)}
    body = _DECLARED.sub(" ", code)
    used: list[str] = []
    for m in _PREFIXED.finditer(body):
        prefix = m.group(1) or ""
        if prefix not in declared and prefix != "_" and prefix not in used:
            used.append(prefix)
    return used


def prefix_hint(sparql: str) -> str | None:
    missing = undeclared_prefixes(sparql)
    if not missing:
        return None
    from ptce_kg.namespaces import PREFIXES  # rdflib: imported when a message needs it

    known = [p for p in missing if p in PREFIXES]
    unknown = [p for p in missing if p not in PREFIXES]
    parts = []
    if known:
        lines = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in known)
        parts.append(f"prefix {', '.join(f'{p}:' for p in known)} not declared; add\n{lines}")
    if unknown:
        parts.append(
            f"prefix {', '.join(f'{p}:' for p in unknown)} not declared and not one of the "
            f"project's ({', '.join(sorted(PREFIXES))}): declare it with PREFIX or write the IRI "
            "in <…>"
        )
    return "\n".join(parts)


def _ungrouped_hint(sparql: str) -> str:
    code = _code(sparql)
    select = re.search(r"\bSELECT\b(.*?)\b(?:WHERE\b|\{|FROM\b)", code, re.IGNORECASE | re.S)
    group = re.search(
        r"\bGROUP\s+BY\b(.*?)(?:\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\}|$)",
        code[select.end() :] if select else code,
        re.IGNORECASE | re.S,
    )
    grouped = set(_VARIABLE.findall(group.group(1))) if group else set()
    plain: list[str] = []
    if select:
        depth = 0
        clause = select.group(1)
        for i, char in enumerate(clause):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and char in "?$":
                name = _VARIABLE.match(clause, i)
                if name and name.group(1) not in grouped and name.group(1) not in plain:
                    plain.append(name.group(1))
    which = ", ".join(f"?{v}" for v in plain) or "a selected variable"
    return (
        f"{which} is selected but neither grouped nor aggregated: add it to GROUP BY "
        f"(GROUP BY {' '.join(f'?{v}' for v in [*sorted(grouped), *plain])}) or select an "
        f"aggregate of it, e.g. (SAMPLE(?{plain[0] if plain else 'x'}) AS ?any_"
        f"{plain[0] if plain else 'x'})"
    )


def _form_hint(sparql: str) -> str | None:
    body = _DECLARED.sub(" ", _code(sparql))
    body = re.sub(r"\bBASE\s*", " ", body, flags=re.IGNORECASE)
    first = _FIRST_WORD.match(body)
    if first is None or first.group(1).upper() in (*_FORMS, "PREFIX", "BASE"):
        return None
    near = difflib.get_close_matches(first.group(1).upper(), _FORMS, n=1, cutoff=0.6)
    guess = f"did you mean {near[0]}? " if near else ""
    return f"{guess}a query is PREFIX/BASE lines, then SELECT, CONSTRUCT, ASK or DESCRIBE"


def _brace_hint(sparql: str) -> str | None:
    code = _code(sparql)
    opened, closed = code.count("{"), code.count("}")
    if opened > closed:
        return f"{opened - closed} '{{' not closed: add '}}'"
    if closed > opened:
        return f"{closed - opened} '}}' too many"
    return None


def syntax_error_at(sparql: str, line: int, column: int, summary: str) -> QueryError:
    """A syntax error another parser found at ``line``:``column`` (the same form and hints)."""
    hint = prefix_hint(sparql) or _form_hint(sparql) or _brace_hint(sparql)
    message = f"SPARQL syntax error at {line}:{column}: {summary}\n{_excerpt(sparql, line, column)}"
    return QueryError(message, hint=hint)


def explain_syntax_error(sparql: str, error: str) -> QueryError:
    """The :class:`QueryError` for the engine's syntax error ``error`` on ``sparql``."""
    match = _POSITION.search(error)
    if match is None:
        return QueryError(f"SPARQL syntax error: {error}", hint=prefix_hint(sparql))
    line, column, rest = int(match.group(1)), int(match.group(2)), match.group(3)
    wanted = _expected(rest.removeprefix("expected").strip())
    if len(wanted) > MAX_EXPECTED:
        wanted = [*wanted[:MAX_EXPECTED], "…"]
    if _PREFIX_NOT_FOUND in rest:
        summary = "a prefix is used but not declared"
    elif _UNBOUND_SELECT in rest:
        summary = "a selected variable is not grouped"
    elif wanted:
        summary = f"expected {'one of ' if len(wanted) > 1 else ''}{', '.join(wanted)}"
    else:
        summary = rest.strip() or "unexpected text"
    hint: str | None
    if _UNBOUND_SELECT in rest:
        hint = _ungrouped_hint(sparql)
    else:
        hint = prefix_hint(sparql) or _form_hint(sparql) or _brace_hint(sparql)
    message = f"SPARQL syntax error at {line}:{column}: {summary}\n{_excerpt(sparql, line, column)}"
    return QueryError(message, hint=hint)


__all__ = ["explain_syntax_error", "prefix_hint", "syntax_error_at", "undeclared_prefixes"]
