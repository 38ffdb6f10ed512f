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
the SKOS scheme named by ``scheme``, given as its IRI or its key). An ``iri`` parameter with a
``kind`` (``ptce``, ``organisation``, ``territory``) also takes the node's key or INSEE code, a
``string`` one with a ``kind`` (``region``, ``departement``) an INSEE code; given a store, such
values and concepts must name a node it has (:mod:`ptce_kg.naming`). The value is turned into an
rdflib term, and reaches SPARQL as a ``VALUES`` block inserted at the start of the query's
top-level ``WHERE`` group, written from the validated term's own serialisation (``term.n3()``):
user text never becomes SPARQL syntax. A parameter with ``multiple: true`` takes several values
(one row of the ``VALUES`` block each); one with ``subqueries: true`` is also bound at the start of
every sub-select's ``WHERE`` group that mentions it (a sub-select does not see the outer
``VALUES``). An optional parameter left out leaves its variable free: the query then answers for
every value.
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
from ptce_kg.namespaces import DEFAULT_BASE, HTTP_IRI
from ptce_kg.naming import CODE_KINDS, Reference, candidate_iri, resolve_references
from ptce_kg.sparql.lexer import group_end, where_groups
from ptce_kg.store import QueryResult, Store

PARAM_TYPES = ("iri", "string", "integer", "date", "concept")
RETURNS = ("table", "graph", "boolean")
_HEADER_KEYS = {"title", "description", "params", "tags", "returns"}
_PARAM_KEYS = {
    "type",
    "required",
    "example",
    "description",
    "scheme",
    "multiple",
    "pattern",
    "kind",
    "subqueries",
}
#: The kinds of node a parameter of each type may name (``kind:`` in its header).
PARAM_KINDS = {"iri": ("ptce", "organisation", "territory"), "string": CODE_KINDS}
#: Names the service reads itself: no query parameter may take them.
RESERVED = frozenset({"lang", "format"})
LANGUAGES = ("fr", "en")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An absolute http(s) IRI with none of the characters an IRIREF may not hold.
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
    kind: str | None = None
    subqueries: bool = False

    def reference(self, value: str) -> Reference | None:
        """The node ``value`` names, for a parameter that names one (a kind or a concept)."""
        if self.type == "concept":
            return Reference(self.name, value, "concept", self.scheme)
        if self.kind is not None:
            return Reference(self.name, value, self.kind)
        return None

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
        if self.type in ("iri", "concept") and (ref := self.reference(value)) is not None:
            iri = candidate_iri(ref)
            if iri is None:  # a bare territory code: only the store can say which node it is
                raise QueryError(
                    f"{where}: {value!r} is a code; it needs the store to be resolved",
                    hint="give region/84, departement/84, commune/63113 or an IRI",
                )
            return iri
        if self.type == "iri":
            if not HTTP_IRI.fullmatch(value):
                raise QueryError(
                    f"{where}: {value!r} is not an absolute http(s) IRI",
                    hint=f"e.g. {self.example}",
                )
            return URIRef(value)
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
                        ("kind", p.kind),
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
    if name in RESERVED:
        raise _fail(path, f"parameter name {name!r} is read by the service itself; rename it")
    if not isinstance(spec, dict):
        raise _fail(path, f"parameter '{name}' must be a mapping")
    unknown = set(spec) - _PARAM_KEYS
    if unknown:
        raise _fail(path, f"parameter '{name}': unknown field(s) {', '.join(sorted(unknown))}")
    kind = spec.get("type")
    if kind not in PARAM_TYPES:
        raise _fail(path, f"parameter '{name}': type must be one of {', '.join(PARAM_TYPES)}")
    for flag in ("required", "multiple", "subqueries"):
        if not isinstance(spec.get(flag, False), bool):
            raise _fail(path, f"parameter '{name}': {flag} must be true or false")
    if "example" not in spec or isinstance(spec["example"], dict | list | bool | type(None)):
        raise _fail(path, f"parameter '{name}' needs an example value")
    scheme = spec.get("scheme")
    if (kind == "concept") != (scheme is not None):
        raise _fail(path, f"parameter '{name}': a scheme goes with type concept, and only there")
    if scheme is not None and not (isinstance(scheme, str) and _KEY.fullmatch(scheme)):
        raise _fail(path, f"parameter '{name}': scheme must be a scheme key such as 'sector'")
    node_kind = spec.get("kind")
    if node_kind is not None and node_kind not in PARAM_KINDS.get(kind, ()):
        allowed = "; ".join(f"{t}: {', '.join(k)}" for t, k in PARAM_KINDS.items())
        raise _fail(path, f"parameter '{name}': kind {node_kind!r} does not fit ({allowed})")
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
        kind=node_kind,
        subqueries=bool(spec.get("subqueries", False)),
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
def _where_group(text: str) -> int:
    """Return the offset just after the ``{`` of the top-level ``WHERE`` group, or -1."""
    groups = where_groups(text, first_only=True)
    return groups[0] if groups else -1


def bind_params(
    query: NamedQuery,
    params: Mapping[str, str | Sequence[str]],
    store: Store | None = None,
    *,
    base: str = DEFAULT_BASE,
) -> dict[str, list[Node]]:
    """Validate ``params`` (name → value or values) and return the rdflib terms for each.

    With a ``store``, a value that names a node (a parameter with a ``kind``, or a concept) may
    be its IRI, its key or (territories) its INSEE code, and must name a node the store has:
    one query checks them all (:func:`ptce_kg.naming.resolve_references`).

    Raises:
        QueryError: an unknown parameter, a missing required one, several values for a
            single-valued one, a value that does not fit its type, or (with a store) that
            names no node of its kind (with the closest accepted values).
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
        if store is None or (refs := [param.reference(v) for v in values])[0] is None:
            terms[name] = [param.to_term(v) for v in values]
            continue
        for value in values:  # length and form first: a bad value never reaches the store
            if len(value) > MAX_VALUE_LENGTH:
                raise QueryError(f"parameter '{name}': longer than {MAX_VALUE_LENGTH} characters")
            if param.type != "iri":
                param.to_term(value)
        nodes = resolve_references(store, [r for r in refs if r is not None], base=base)
        terms[name] = [Literal(v) for v in values] if param.type == "string" else list(nodes)
    return terms


# A label read in one language: OPTIONAL { ?s <p> ?label FILTER(LANG(?label) = "fr") }, or
# (in a sub-select) a language test alone.
_LABEL = re.compile(
    r"OPTIONAL\s*\{(?P<body>[^{}]*?)FILTER\s*\(\s*LANG\(\s*\?(?P<var>\w+)\s*\)\s*=\s*\"fr\"\s*\)\s*\}"
    r'|(?P<test>LANG\(\s*\?\w+\s*\)\s*=\s*)"fr"'
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a label language of the tables (``fr``, ``en``).

    Raises:
        QueryError: any other value.
    """
    if lang not in LANGUAGES:
        raise QueryError(
            f"parameter 'lang': {lang!r} is not a label language",
            hint=f"use one of {', '.join(LANGUAGES)}",
        )
    return lang


def localise_labels(text: str, lang: str = "fr") -> str:
    """``text`` with its labels read in ``lang``, else in the other language.

    The query files read French labels (``OPTIONAL { ?s skos:prefLabel ?l
    FILTER(LANG(?l) = "fr") }``); each such group becomes two, ``lang`` first: the second binds
    the label only where the first found none. A language test elsewhere (in a sub-select) is
    switched to ``lang``.
    """
    other = LANGUAGES[1] if lang == LANGUAGES[0] else LANGUAGES[0]

    def localise(m: re.Match[str]) -> str:
        if m.group("test") is not None:
            return f'{m.group("test")}"{lang}"'
        body, var = m.group("body"), m.group("var")
        return " ".join(
            f'OPTIONAL {{{body}FILTER(LANG(?{var}) = "{tag}") }}' for tag in (lang, other)
        )

    return _LABEL.sub(localise, text)


def query_text(
    query: NamedQuery,
    params: Mapping[str, str | Sequence[str]],
    store: Store | None = None,
    *,
    lang: str = "fr",
    base: str = DEFAULT_BASE,
) -> str:
    """The SPARQL text of ``query`` with ``params`` bound (see the module docstring) and its
    labels in ``lang`` (:func:`localise_labels`). With a ``store``, references to nodes are
    resolved and checked there (:func:`bind_params`).

    Raises:
        QueryError: a parameter is unknown, missing, invalid or names nothing; a bad ``lang``.
    """
    terms = bind_params(query, params, store, base=base)
    text = localise_labels(query.text, check_lang(lang))
    if not terms:
        return text
    groups = where_groups(text)
    block = {
        name: f"\n  VALUES ?{name} {{ {' '.join(t.n3() for t in values)} }}"
        for name, values in terms.items()
    }
    inner = [n for n in terms if query.params[n].subqueries]
    for where in reversed(groups[1:]):  # a sub-select does not see the outer VALUES
        body = text[where : group_end(text, where)]
        used = "".join(block[n] for n in inner if re.search(rf"[?$]{n}\b", body))
        text = text[:where] + used + text[where:]
    return text[: groups[0]] + "".join(block.values()) + text[groups[0] :]


def run_query(
    store: Store,
    query: NamedQuery,
    params: Mapping[str, str | Sequence[str]],
    *,
    lang: str = "fr",
) -> QueryResult:
    """Run ``query`` on ``store`` with ``params`` bound (and resolved there), labels in ``lang``.

    Raises:
        QueryError: a bad parameter, or the store failed to answer.
    """
    return store.query(query_text(query, params, store, lang=lang))


def run_query_serialized(
    store: Store,
    query: NamedQuery,
    params: Mapping[str, str | Sequence[str]],
    media_type: str | Callable[[str], str],
    *,
    lang: str = "fr",
) -> tuple[str, bytes]:
    """Run ``query`` with ``params`` bound; return ``(kind, body)`` serialised in ``media_type``.

    Raises:
        QueryError: a bad parameter, a format that does not fit the result, or a store failure.
    """
    return store.query_serialized(query_text(query, params, store, lang=lang), media_type)


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
        "## Naming PTCEs, organisations, territories and concepts",
        "",
        "Every parameter that names something, here and in the comparison API (`/api/compare`,",
        "`ptce-kg compare`), accepts the same forms (`ptce_kg.naming`):",
        "",
        "| what | forms | e.g. |",
        "|---|---|---|",
        "| PTCE (`kind: ptce`) | full IRI, or the key after `/id/ptce/` "
        "| `le-damier`, `https://w3id.org/ptce/id/ptce/le-damier` |",
        "| organisation (`kind: organisation`) | full IRI, or the key after `/id/org/` "
        "| `clermont-auvergne-metropole` |",
        "| territory (`kind: territory`) | full IRI, `<kind>/<code>`, or the INSEE code "
        "(an EPCI's SIREN) | `63113`, `region/84`, `departement/84` |",
        "| région, département (`kind: region`, `kind: departement`) | the INSEE code "
        "| `84`, `2A` |",
        "| concept (`type: concept`) | full IRI, or the key after `/id/concept/<scheme>/` "
        "| `culture-creative-industries` |",
        "",
        "The store is asked (one query for all the parameters of a request) whether it has such a",
        "node: **an unknown key, code or concept is an error**, never an empty answer — HTTP 400,",
        "exit code 2 — naming the parameter, the value and the closest accepted values",
        "(`sector=culture` → *closest: culture-creative-industries*). A code that names two",
        "territories (`84`: the région and the département) asks which.",
        "",
        "**Label language.** `lang=fr` or `lang=en` (`ptce-kg run --lang en`; over HTTP, else the",
        "first of `fr`/`en` in `Accept-Language`, else French) chooses the language of the labels",
        "of every table: labels in that language, else in the other.",
        "",
        "## Catalogue",
        "",
        "| query | title | parameters | returns | tags |",
        "|---|---|---|---|---|",
    ]
    for q in queries.values():
        params = ", ".join(
            f"`{p.name}` ({p.kind or p.type}{'*' if p.required else ''}"
            f"{', several' if p.multiple else ''})"
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
                kind += f" ({p.kind})" if p.kind else ""
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
