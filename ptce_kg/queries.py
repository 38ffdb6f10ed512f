"""Named research queries: ``queries/<name>.rq`` files with a ``#+`` YAML header, run on a store.

A query file stays runnable in any SPARQL editor: its header is a block of comment lines starting
with ``#+`` (the grlc convention), for example::

    #+ title: {fr: PTCE par région, en: PTCEs by région}
    #+ description: Every PTCE with the région it is based in or covers.
    #+ params:
    #+   region_code: {type: string, required: false, example: "84", pattern: "[0-9]{2}",
    #+                 description: INSEE code of the région}
    #+ tags: [territory]
    #+ returns: table

A parameter ``name`` is the query variable ``?name``. Its value is validated by type (``iri``: an
absolute http(s) IRI; ``string``; ``integer``; ``date``: ``YYYY-MM-DD``; ``concept``: a concept of
the SKOS scheme named by ``scheme``, given as its IRI or its key), turned into an rdflib term, and
reaches SPARQL as a ``VALUES`` block inserted at the start of the query's top-level ``WHERE``
group, written from the validated term's own serialisation (``term.n3()``): user text never
becomes SPARQL syntax. A parameter with ``multiple: true`` takes several values (one row of the
``VALUES`` block each). An optional parameter left out leaves its variable free: the query then
answers for every value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ptce_kg.errors import NotFound, QueryError
from ptce_kg.namespaces import concept_iri
from ptce_kg.store import QueryResult, Store

PARAM_TYPES = ("iri", "string", "integer", "date", "concept")
RETURNS = ("table", "graph", "boolean")
_HEADER_KEYS = {"title", "description", "params", "tags", "returns"}
_PARAM_KEYS = {"type", "required", "example", "description", "scheme", "multiple", "pattern"}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An absolute http(s) IRI with none of the characters an IRIREF may not hold.
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_VALUE_LENGTH = 2000


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a named query."""

    name: str
    type: str
    description: str
    example: str
    required: bool = False
    multiple: bool = False
    scheme: str | None = None
    pattern: str | None = None

    def to_term(self, value: str) -> Node:
        """Validate ``value`` and return it as an rdflib term.

        Raises:
            QueryError: if the value does not fit the parameter's type.
        """
        where = f"parameter '{self.name}' ({self.type})"
        if len(value) > MAX_VALUE_LENGTH:
            raise QueryError(f"{where}: the value is longer than {MAX_VALUE_LENGTH} characters")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise QueryError(
                f"{where}: {value!r} does not match {self.pattern}", hint=f"e.g. {self.example}"
            )
        if self.type == "iri":
            if not _IRI.fullmatch(value):
                raise QueryError(
                    f"{where}: {value!r} is not an absolute http(s) IRI",
                    hint=f"e.g. {self.example}",
                )
            return URIRef(value)
        if self.type == "concept":
            return self._concept(value, where)
        if self.type == "integer":
            if not _INTEGER.fullmatch(value):
                raise QueryError(f"{where}: {value!r} is not an integer", hint="e.g. 2")
            return Literal(int(value), datatype=XSD.integer)
        if self.type == "date":
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is None or len(value) != 10:
                raise QueryError(f"{where}: {value!r} is not a date YYYY-MM-DD", hint="2022-06-30")
            return Literal(parsed.isoformat(), datatype=XSD.date)
        return Literal(value)

    def _concept(self, value: str, where: str) -> URIRef:
        assert self.scheme is not None
        base = str(concept_iri(self.scheme, "x"))[:-1]
        key = value[len(base) :] if value.startswith(base) else value
        if not _KEY.fullmatch(key):
            raise QueryError(
                f"{where}: {value!r} is not a concept of the scheme {self.scheme}",
                hint=f"give a key such as {self.example!r} or an IRI starting with {base}",
            )
        return concept_iri(self.scheme, key)


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name (the file stem), header fields and SPARQL text."""

    name: str
    title: Mapping[str, str]
    description: str
    params: Mapping[str, QueryParam]
    tags: tuple[str, ...]
    returns: str
    text: str
    path: Path | None = None
    _where: int = field(default=-1, repr=False, compare=False)

    def catalogue_entry(self) -> dict[str, Any]:
        """The JSON-ready description of the query (for ``GET /api/queries``)."""
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": self.description,
            "params": {
                p.name: {
                    k: v
                    for k, v in (
                        ("type", p.type),
                        ("required", p.required),
                        ("multiple", p.multiple),
                        ("scheme", p.scheme),
                        ("pattern", p.pattern),
                        ("example", p.example),
                        ("description", p.description),
                    )
                    if v is not None
                }
                for p in self.params.values()
            },
            "tags": list(self.tags),
            "returns": self.returns,
        }

    def example_params(self) -> dict[str, list[str]]:
        """Every parameter set to its example value."""
        return {
            name: p.example.split() if p.multiple else [p.example]
            for name, p in self.params.items()
        }


# -------------------------------------------------------------------------------------- loading
def _fail(path: Path, message: str) -> QueryError:
    return QueryError(f"{path}: {message}", hint="see queries/README.md for the header format")


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and lines:
            break
    return "\n".join(lines)


def _string(value: Any, path: Path, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{what} must be a non-empty string")
    return value.strip()


def _read_param(name: Any, spec: Any, path: Path) -> QueryParam:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _fail(path, f"parameter name {name!r} must be snake_case (it is the variable ?name)")
    if not isinstance(spec, dict):
        raise _fail(path, f"parameter '{name}' must be a mapping")
    unknown = set(spec) - _PARAM_KEYS
    if unknown:
        raise _fail(path, f"parameter '{name}': unknown field(s) {', '.join(sorted(unknown))}")
    kind = spec.get("type")
    if kind not in PARAM_TYPES:
        raise _fail(path, f"parameter '{name}': type must be one of {', '.join(PARAM_TYPES)}")
    for flag in ("required", "multiple"):
        if not isinstance(spec.get(flag, False), bool):
            raise _fail(path, f"parameter '{name}': {flag} must be true or false")
    if "example" not in spec or isinstance(spec["example"], dict | list | bool | type(None)):
        raise _fail(path, f"parameter '{name}' needs an example value")
    scheme = spec.get("scheme")
    if (kind == "concept") != (scheme is not None):
        raise _fail(path, f"parameter '{name}': a scheme goes with type concept, and only there")
    if scheme is not None and not (isinstance(scheme, str) and _KEY.fullmatch(scheme)):
        raise _fail(path, f"parameter '{name}': scheme must be a scheme key such as 'sector'")
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as e:
            raise _fail(path, f"parameter '{name}': invalid pattern: {e}") from e
    param = QueryParam(
        name=name,
        type=kind,
        description=_string(spec.get("description"), path, f"parameter '{name}' description"),
        example=str(spec["example"]),
        required=bool(spec.get("required", False)),
        multiple=bool(spec.get("multiple", False)),
        scheme=scheme,
        pattern=None if pattern is None else str(pattern),
    )
    for example in param.example.split() if param.multiple else [param.example]:
        try:
            param.to_term(example)
        except QueryError as e:
            raise _fail(path, f"the example of {e}") from e
    return param


def read_query(path: Path) -> NamedQuery:
    """Read one named query file.

    Raises:
        QueryError: the file has no header, or a header that is not valid (a bad header is an
            error, never a warning).
    """
    text = path.read_text(encoding="utf-8")
    name = path.stem
    if not _NAME.fullmatch(name):
        raise _fail(path, "the file name must be snake_case, e.g. ptces_by_region.rq")
    try:
        header = yaml.safe_load(_header(text))
    except yaml.YAMLError as e:
        raise _fail(path, f"the #+ header is not valid YAML: {e}") from e
    if not isinstance(header, dict):
        raise _fail(path, "no #+ header (title, description, params, tags, returns)")
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise _fail(path, f"unknown header field(s) {', '.join(sorted(unknown))}")
    title = header.get("title")
    if not isinstance(title, dict) or set(title) != {"fr", "en"}:
        raise _fail(path, "title must give exactly 'fr' and 'en'")
    titles = {lang: _string(title[lang], path, f"title.{lang}") for lang in ("fr", "en")}
    tags = header.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise _fail(path, "tags must be a list of words")
    returns = header.get("returns")
    if returns not in RETURNS:
        raise _fail(path, f"returns must be one of {', '.join(RETURNS)}")
    raw_params = header.get("params") or {}
    if not isinstance(raw_params, dict):
        raise _fail(path, "params must be a mapping of parameter names")
    params = {str(n): _read_param(n, s, path) for n, s in raw_params.items()}
    for param in params.values():
        if not re.search(rf"\?{param.name}\b", text):
            raise _fail(path, f"parameter '{param.name}' is not a variable ?{param.name} of it")
    where = _where_group(text)
    if params and where < 0:
        raise _fail(path, "a query with parameters needs an explicit top-level 'WHERE {'")
    return NamedQuery(
        name=name,
        title=titles,
        description=_string(header.get("description"), path, "description"),
        params=params,
        tags=tuple(tags),
        returns=returns,
        text=text,
        path=path,
        _where=where,
    )


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    """Read every ``*.rq`` of ``directory`` (not its subfolders), by name.

    Raises:
        QueryError: if a file's header is not valid.
    """
    return {q.name: q for q in (read_query(p) for p in sorted(directory.glob("*.rq")))}


def find_query(queries: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """Return the query called ``name``.

    Raises:
        NotFound: there is no such query.
    """
    try:
        return queries[name]
    except KeyError:
        raise NotFound(
            f"no named query {name!r}",
            hint=f"known queries: {', '.join(sorted(queries)) or '(none)'}",
        ) from None


# -------------------------------------------------------------------------------------- binding
# Tokens that may hold '{' or 'WHERE' without being syntax: comments, strings, IRIs.
_SKIP = re.compile(
    r"#[^\n]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|<[^<>\"{}|^`\\\s]*>",
)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _where_group(text: str) -> int:
    """Return the offset just after the ``{`` of the top-level ``WHERE`` group, or -1."""
    depth = 0
    i = 0
    while i < len(text):
        skip = _SKIP.match(text, i)
        if skip:
            i = skip.end()
            continue
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char in "wW":
            where = _WHERE.match(text, i)
            if where and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?$")):
                return where.end()
        i += 1
    return -1


def bind_params(
    query: NamedQuery, params: Mapping[str, str | Sequence[str]]
) -> dict[str, list[Node]]:
    """Validate ``params`` (name → value or values) and return the rdflib terms for each.

    Raises:
        QueryError: an unknown parameter, a missing required one, several values for a
            single-valued one, or a value that does not fit its type.
    """
    unknown = set(params) - set(query.params)
    if unknown:
        known = ", ".join(sorted(query.params)) or "none"
        raise QueryError(
            f"unknown parameter(s) {', '.join(sorted(unknown))} for query {query.name!r}",
            hint=f"its parameters: {known}",
        )
    terms: dict[str, list[Node]] = {}
    for name, param in query.params.items():
        raw = params.get(name)
        values = [] if raw is None else [raw] if isinstance(raw, str) else list(raw)
        values = [v for v in values if v != ""]
        if not values:
            if param.required:
                raise QueryError(
                    f"query {query.name!r} needs the parameter '{name}' ({param.type})",
                    hint=f"e.g. {name}={param.example}",
                )
            continue
        if len(values) > 1 and not param.multiple:
            raise QueryError(f"parameter '{name}' takes one value, not {len(values)}")
        terms[name] = [param.to_term(v) for v in values]
    return terms


def query_text(query: NamedQuery, params: Mapping[str, str | Sequence[str]]) -> str:
    """The SPARQL text of ``query`` with ``params`` bound (see the module docstring).

    Raises:
        QueryError: a parameter is unknown, missing or invalid.
    """
    terms = bind_params(query, params)
    if not terms:
        return query.text
    blocks = "".join(
        f"\n  VALUES ?{name} {{ {' '.join(t.n3() for t in values)} }}"
        for name, values in terms.items()
    )
    return query.text[: query._where] + blocks + query.text[query._where :]


def run_query(
    store: Store, query: NamedQuery, params: Mapping[str, str | Sequence[str]]
) -> QueryResult:
    """Run ``query`` on ``store`` with ``params`` bound.

    Raises:
        QueryError: a bad parameter, or the store failed to answer.
    """
    return store.query(query_text(query, params))


def run_query_serialized(
    store: Store,
    query: NamedQuery,
    params: Mapping[str, str | Sequence[str]],
    media_type: str | Callable[[str], str],
) -> tuple[str, bytes]:
    """Run ``query`` with ``params`` bound; return ``(kind, body)`` serialised in ``media_type``.

    Raises:
        QueryError: a bad parameter, a format that does not fit the result, or a store failure.
    """
    return store.query_serialized(query_text(query, params), media_type)


# ------------------------------------------------------------------------------------- documents
def queries_index(queries: Mapping[str, NamedQuery]) -> str:
    """The Markdown index of the named queries (``docs/queries.md``), generated from the headers."""
    lines = [
        "# Named queries",
        "",
        "<!-- Generated from the #+ headers of queries/*.rq by ptce_kg.queries.queries_index;",
        "     tests/queries/test_named_queries.py checks that this file is up to date.",
        "     Regenerate: .venv/bin/pytest tests/queries --update-expected -->",
        "",
        "Each query is a file `queries/<name>.rq`, runnable in any SPARQL editor. Run one with",
        "`ptce-kg run NAME --param key=value`, or over HTTP with `GET /api/queries/NAME?key=value`",
        "(see `queries/README.md`). A parameter left out leaves its variable free: the query",
        "answers for every value.",
        "",
        "| query | title | parameters | returns | tags |",
        "|---|---|---|---|---|",
    ]
    for q in queries.values():
        params = ", ".join(
            f"`{p.name}` ({p.type}{'*' if p.required else ''}{', several' if p.multiple else ''})"
            for p in q.params.values()
        )
        lines.append(
            f"| [`{q.name}`](#{q.name}) | {q.title['en']} | {params or '—'} "
            f"| {q.returns} | {', '.join(q.tags)} |"
        )
    lines += ["", "`*`: required.", ""]
    for q in queries.values():
        lines += [f"## {q.name}", "", f"**{q.title['en']}** — *{q.title['fr']}*", ""]
        lines += [" ".join(q.description.split()), ""]
        if q.params:
            lines += [
                "| parameter | type | required | example | meaning |",
                "|---|---|---|---|---|",
            ]
            for p in q.params.values():
                kind = p.type + (f" (`{p.scheme}`)" if p.scheme else "")
                kind += ", several" if p.multiple else ""
                lines.append(
                    f"| `{p.name}` | {kind} | {'yes' if p.required else 'no'} | `{p.example}` "
                    f"| {' '.join(p.description.split())} |"
                )
            lines.append("")
        example = " ".join(
            f"--param {p.name}={v}" for p in q.params.values() for v in q.example_params()[p.name]
        )
        lines += ["```sh", f"ptce-kg run {q.name} {example}".rstrip(), "```", ""]
    return "\n".join(lines)
