"""The declarative spreadsheet mapping: which table makes which nodes, how each column is read.

A mapping is a YAML file (documented in docs/import.md). It is read once into frozen objects
(:class:`ImportMapping` → :class:`TableMapping` → :class:`NodeMapping` → :class:`ValueMapping`),
and every name in it is checked on the way in: prefixes and ``ptce:`` terms (against
:class:`~ptce_kg.namespaces.PTCE`), classes, columns used by IRI templates, links to other tables,
vocabulary schemes. A mistake raises :class:`~ptce_kg.errors.MappingError` naming the mapping file
and the key (``tables[1] (membres) → properties[3] → vocabulary``).

This module also holds the look-ups a mapping relies on: IRI templates (keys minted through
:func:`~ptce_kg.namespaces.mint_iri`) and the SKOS vocabularies (:class:`Vocabularies`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDFS, SKOS, DefinedNamespaceMeta

from ptce_kg.errors import MappingError
from ptce_kg.namespaces import DEFAULT_BASE, PREFIXES, PTCE, mint_iri, slugify

DATATYPES = (
    "string", "digits", "integer", "decimal", "date", "gYear", "date-or-year", "boolean", "iri",
)  # fmt: skip
TERRITORIES = ("commune", "departement", "region", "epci")
FUNCTIONS = ("slug", "digits")
_CLOSED: tuple[DefinedNamespaceMeta, ...] = (
    PTCE, SKOS, DCTERMS, RDFS, RDF, PROV, FOAF, ORG, OWL, DCAT,
)  # fmt: skip
_TABLE_KEYS = {"name", "sheet", "header_row", "key", "class", "iri", "properties", "nodes"}
_NODE_KEYS = {"name", "class", "iri", "properties"}
_VALUE_KEYS = {
    "property", "column", "value", "iri", "node", "datatype", "lang", "required", "separator",
    "vocabulary", "use", "territory", "link", "template", "class", "when",
}  # fmt: skip


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a label, header or key."""
    ascii_text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    spaced = re.sub(r"[\s\-_'’`]+", " ", ascii_text.casefold())
    return spaced.strip()


# --------------------------------------------------------------------------------------------------
# IRI templates
# --------------------------------------------------------------------------------------------------

#: Kinds of node whose key must not be an identifier such as a SIREN (it may be found later).
FROZEN_KEY_KINDS = ("org",)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CALL = re.compile(r"^(\w+)\((.*)\)$")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class IriTemplate:
    """``<type>/<key template>``: e.g. ``ptce/{slug(Nom)}`` or ``identifier/siren/{digits(SIREN)}``.

    Placeholders name columns; ``slug(…)`` makes a lowercase ASCII key of the cell, ``digits(…)``
    keeps its digits (a SIREN written "900 000 019"), a bare ``{column}`` must already be a key.
    """

    kind: str
    parts: tuple[str | tuple[str, str], ...]
    text: str

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the template reads, in order."""
        return tuple(p[1] for p in self.parts if isinstance(p, tuple))

    def render(self, values: Mapping[str, str], *, base: str = DEFAULT_BASE) -> URIRef:
        """Mint the IRI for a row whose (normalised) column values are ``values``.

        Raises:
            ValueError: a cell gives no usable key (no letter or digit, not a key, no digit).
        """
        key = []
        for part in self.parts:
            if isinstance(part, str):
                key.append(part)
                continue
            fn, column = part
            key.append(apply_key_function(fn, values.get(normalise(column), "")))
        return mint_iri(self.kind, "".join(key), base=base)


def apply_key_function(fn: str, value: str) -> str:
    """Turn a cell into a key fragment with ``slug``, ``digits`` or nothing (``""``)."""
    value = value.strip()
    if fn == "slug":
        return slugify(value)
    if fn == "digits":
        digits = re.sub(r"\D", "", value)
        if not digits:
            raise ValueError(f"{value!r} has no digit")
        return digits
    if not _PLAIN_KEY.fullmatch(value):
        raise ValueError(f"{value!r} is not a key (letters, digits, '-', '_', '.'); use slug(…)")
    return value


def parse_template(text: str, *, where: str, path: Path) -> IriTemplate:
    """Parse ``type/key-template`` (or the same under ``<base>id/``)."""
    body = text.strip()
    if body.startswith(f"{DEFAULT_BASE}id/"):
        body = body[len(f"{DEFAULT_BASE}id/") :]
    elif "://" in body:
        raise MappingError(
            f"{where}: IRI template {text!r} is not under {DEFAULT_BASE}id/",
            path=str(path),
            hint="write type/key, e.g. ptce/{slug(Nom)}; the base comes from PTCE_BASE_IRI",
        )
    kind, sep, rest = body.partition("/")
    if not sep or not re.fullmatch(r"[a-z][a-z0-9-]*", kind) or not rest:
        raise MappingError(
            f"{where}: IRI template {text!r} must be type/key, e.g. ptce/{{slug(Nom)}}",
            path=str(path),
        )
    parts: list[str | tuple[str, str]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(rest):
        if match.start() > position:
            parts.append(rest[position : match.start()])
        inner = match.group(1).strip()
        call = _CALL.match(inner)
        if call and call.group(1) in FUNCTIONS:
            parts.append((call.group(1), call.group(2).strip()))
        elif call and "(" not in call.group(1) and " " not in call.group(1) and inner[0] != " ":
            raise MappingError(
                f"{where}: unknown function {call.group(1)!r} in IRI template {text!r}",
                path=str(path),
                hint=f"use one of {', '.join(FUNCTIONS)}",
            )
        else:
            parts.append(("", inner))
        position = match.end()
    if position < len(rest):
        parts.append(rest[position:])
    literal = "".join(p for p in parts if isinstance(p, str))
    if "{" in literal or "}" in literal or not re.fullmatch(r"[A-Za-z0-9._/-]*", literal):
        raise MappingError(
            f"{where}: IRI template {text!r} has characters that cannot be in a key",
            path=str(path),
        )
    if not any(isinstance(p, tuple) for p in parts):
        raise MappingError(f"{where}: IRI template {text!r} names no column", path=str(path))
    if kind in FROZEN_KEY_KINDS and any(isinstance(p, tuple) and p[0] == "digits" for p in parts):
        raise MappingError(
            f"{where}: IRI template {text!r} keys an organisation by an identifier",
            path=str(path),
            hint="key it by its name, e.g. org/{slug(Organisation)}: the key is frozen when the "
            "IRI is minted, and a SIREN found later is an adms:identifier node "
            "(identifier/siren/{digits(SIREN)}), never the key (docs/decisions/0001-iri-policy.md)",
        )
    return IriTemplate(kind=kind, parts=tuple(parts), text=text)


# --------------------------------------------------------------------------------------------------
# The mapping model
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMapping:
    """One property of a node: from a column (read as ``datatype``, looked up, linked), or a
    constant."""

    where: str
    properties: tuple[URIRef, ...]
    column: str | None = None
    value: str | None = None
    iri: URIRef | None = None
    node: str | None = None
    datatype: str = "string"
    lang: str | None = None
    required: bool = False
    separator: str | None = None
    vocabulary: str | None = None
    use: str = "concept"
    territory: str | None = None
    link: tuple[str, str | None] | None = None
    template: IriTemplate | None = None
    value_class: URIRef | None = None
    when: str | None = None


@dataclass(frozen=True)
class NodeMapping:
    """A node made from each row: its classes, its IRI (first template whose columns are filled)."""

    name: str
    where: str
    classes: tuple[URIRef, ...]
    iris: tuple[IriTemplate, ...]
    values: tuple[ValueMapping, ...]
    main: bool = True


@dataclass(frozen=True)
class TableMapping:
    """One sheet (or one CSV file): its header row, its key column and the nodes of each row."""

    name: str
    sheet: str
    where: str
    nodes: tuple[NodeMapping, ...]
    header_row: int = 1
    key: str | None = None

    @property
    def columns(self) -> list[str]:
        """Every column the table reads (templates, values, conditions, key), in order, once."""
        seen: dict[str, str] = {}
        if self.key:
            seen.setdefault(normalise(self.key), self.key)
        for node in self.nodes:
            for template in node.iris:
                for c in template.columns:
                    seen.setdefault(normalise(c), c)
            for v in node.values:
                for name in (v.column, v.when):
                    if name:
                        seen.setdefault(normalise(name), name)
        return list(seen.values())


@dataclass(frozen=True)
class ImportMapping:
    """A whole mapping file."""

    path: Path
    tables: tuple[TableMapping, ...]
    schemes: frozenset[str] = field(default_factory=frozenset)

    def table(self, name: str) -> TableMapping | None:
        """The table called ``name`` (or read from sheet ``name``), compared loosely."""
        wanted = normalise(name)
        for t in self.tables:
            if wanted in (normalise(t.name), normalise(t.sheet)):
                return t
        return None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping (YAML would keep the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is written twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def read_mapping(path: Path, *, schemes: Iterable[str] | None = None) -> ImportMapping:
    """Read and check a mapping file; ``schemes`` are the vocabulary schemes look-ups may name.

    Raises:
        MappingError: unreadable YAML, unknown key, prefix, term, class, column, table or scheme.
    """
    if not path.is_file():
        raise MappingError("no such mapping file", path=str(path), hint="give --mapping FILE.yaml")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise MappingError(
            f"not valid YAML: {getattr(e, 'problem', None) or e}",
            path=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from e
    except (OSError, UnicodeDecodeError) as e:
        raise MappingError(f"cannot read: {e}", path=str(path)) from e
    return _Reader(path, frozenset(schemes) if schemes is not None else None).mapping(doc)


class _Reader:
    """Turns the parsed YAML into the frozen model, checking as it goes."""

    def __init__(self, path: Path, schemes: frozenset[str] | None) -> None:
        self.path = path
        self.schemes = schemes

    def fail(self, where: str, message: str, hint: str | None = None) -> MappingError:
        return MappingError(f"{where}: {message}", path=str(self.path), hint=hint)

    def mapping(self, doc: Any) -> ImportMapping:
        if (
            not isinstance(doc, dict)
            or not isinstance(doc.get("tables"), list)
            or not doc["tables"]
        ):
            raise self.fail("top level", "a mapping is a YAML object with a list 'tables'")
        unknown = set(doc) - {"version", "tables"}
        if unknown:
            raise self.fail("top level", f"unknown key(s) {sorted(unknown)}", "use version, tables")
        if doc.get("version", 1) != 1:
            raise self.fail("version", f"unsupported version {doc['version']!r}", "use 1")
        tables = tuple(self.table(t, f"tables[{i}]") for i, t in enumerate(doc["tables"]))
        names = [normalise(t.name) for t in tables]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(f"tables[{i}]", f"table name {tables[i].name!r} is used twice")
        mapping = ImportMapping(self.path, tables, self.schemes or frozenset())
        self.check_links(mapping)
        return mapping

    def check_links(self, mapping: ImportMapping) -> None:
        for table in mapping.tables:
            for node in table.nodes:
                names = {n.name for n in table.nodes}
                for v in node.values:
                    if v.node and v.node not in names:
                        raise self.fail(f"{v.where} → node", f"no node {v.node!r} in this table")
                    if not v.link:
                        continue
                    target = mapping.table(v.link[0])
                    if target is None:
                        raise self.fail(
                            f"{v.where} → link",
                            f"no table {v.link[0]!r}",
                            f"tables are {', '.join(t.name for t in mapping.tables)}",
                        )
                    if target.key is None:
                        raise self.fail(f"{v.where} → link", f"table {target.name!r} has no key")
                    if v.link[1] and v.link[1] not in {n.name for n in target.nodes}:
                        raise self.fail(
                            f"{v.where} → link", f"table {target.name!r} has no node {v.link[1]!r}"
                        )

    def table(self, raw: Any, where: str) -> TableMapping:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise self.fail(where, "a table is an object with at least a 'name'")
        where = f"{where} ({raw['name']})"
        self.known_keys(raw, _TABLE_KEYS, where)
        header_row = raw.get("header_row", 1)
        if not isinstance(header_row, int) or header_row < 1:
            raise self.fail(f"{where} → header_row", "must be a row number, 1 or more")
        main = self.node({**raw, "name": raw["name"]}, where, main=True, keys=_TABLE_KEYS)
        extra = raw.get("nodes", [])
        if not isinstance(extra, list):
            raise self.fail(f"{where} → nodes", "must be a list")
        nodes = [main]
        for i, n in enumerate(extra):
            node_where = f"{where} → nodes[{i}]"
            if not isinstance(n, dict) or not isinstance(n.get("name"), str):
                raise self.fail(node_where, "a node is an object with at least a 'name'")
            self.known_keys(n, _NODE_KEYS, node_where)
            nodes.append(self.node(n, node_where, main=False, keys=_NODE_KEYS))
        if len({n.name for n in nodes}) != len(nodes):
            raise self.fail(where, "two nodes have the same name")
        key = raw.get("key")
        if key is not None and not isinstance(key, str):
            raise self.fail(f"{where} → key", "must be one column name")
        return TableMapping(
            name=raw["name"],
            sheet=str(raw.get("sheet", raw["name"])),
            where=where,
            nodes=tuple(nodes),
            header_row=header_row,
            key=key,
        )

    def known_keys(self, raw: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = set(raw) - allowed
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {sorted(unknown)}", f"use {', '.join(sorted(allowed))}"
            )

    def node(self, raw: dict[str, Any], where: str, *, main: bool, keys: set[str]) -> NodeMapping:
        classes_raw = raw.get("class", [])
        classes_list = [classes_raw] if isinstance(classes_raw, str) else classes_raw
        classes = tuple(self.term(c, f"{where} → class", kind="class") for c in classes_list)
        iri_raw = raw.get("iri")
        iri_list = [iri_raw] if isinstance(iri_raw, str) else iri_raw
        if not iri_list or not all(isinstance(t, str) for t in iri_list):
            raise self.fail(f"{where} → iri", "give an IRI template (or a list of them)")
        iris = tuple(parse_template(t, where=f"{where} → iri", path=self.path) for t in iri_list)
        props = raw.get("properties", [])
        if not isinstance(props, list):
            raise self.fail(f"{where} → properties", "must be a list")
        values = tuple(self.value(p, f"{where} → properties[{i}]") for i, p in enumerate(props))
        return NodeMapping(str(raw["name"]), where, classes, iris, values, main)

    def term(self, text: Any, where: str, *, kind: str) -> URIRef:
        if not isinstance(text, str) or not text.strip():
            raise self.fail(where, f"a {kind} is a prefixed name such as ptce:PTCE")
        text = text.strip()
        if text == "a":
            return URIRef(RDF.type)
        if text.startswith(("http://", "https://")):
            iri = URIRef(text)
        else:
            prefix, sep, local = text.partition(":")
            if not sep or prefix not in PREFIXES:
                raise self.fail(
                    where,
                    f"unknown prefix in {text!r}",
                    f"prefixes are {', '.join(sorted(PREFIXES))}, or write a full IRI",
                )
            iri = URIRef(PREFIXES[prefix] + local)
        for ns in _CLOSED:
            if str(iri).startswith(str(ns)) and iri not in ns:
                raise self.fail(where, f"{text!r} is not a term of {ns}", "check the spelling")
        local = re.split(r"[#/:]", str(iri))[-1]
        if kind == "class" and not local[:1].isupper():
            raise self.fail(where, f"{text!r} is not a class (class names start uppercase)")
        if kind == "property" and iri != RDF.type and not local[:1].islower():
            raise self.fail(where, f"{text!r} is not a property (property names start lowercase)")
        return iri

    def value(self, raw: Any, where: str) -> ValueMapping:
        if not isinstance(raw, dict) or "property" not in raw:
            raise self.fail(where, "a property entry is an object with at least 'property'")
        self.known_keys(raw, _VALUE_KEYS, where)
        prop_raw = raw["property"]
        prop_list = [prop_raw] if isinstance(prop_raw, str) else prop_raw
        if not isinstance(prop_list, list) or not prop_list:
            raise self.fail(f"{where} → property", "give a property (or a list of them)")
        props = tuple(self.term(p, f"{where} → property", kind="property") for p in prop_list)
        sources = [k for k in ("column", "value", "iri", "node") if k in raw]
        if len(sources) != 1:
            raise self.fail(where, "give exactly one of column, value, iri, node")
        column = raw.get("column")
        lookups = [k for k in ("vocabulary", "territory", "link", "template") if k in raw]
        if "link" in raw:  # a link may carry the template that names rows of other imports
            lookups = [k for k in lookups if k != "template"]
        if len(lookups) > 1 or (lookups and column is None and "value" not in raw):
            raise self.fail(
                where, "vocabulary, territory, link, template: one, on a column or value"
            )
        datatype = raw.get("datatype", "iri" if lookups else "string")
        if datatype not in DATATYPES:
            raise self.fail(f"{where} → datatype", f"unknown datatype {datatype!r}",
                            f"use one of {', '.join(DATATYPES)}")  # fmt: skip
        if lookups and datatype != "iri":
            raise self.fail(f"{where} → datatype", f"a {lookups[0]} gives IRIs, not {datatype}")
        lang = raw.get("lang")
        if lang is not None and (
            datatype != "string" or not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*", str(lang))
        ):
            raise self.fail(f"{where} → lang", f"{lang!r}: a language tag goes on a string")
        for flag in ("required",):
            if not isinstance(raw.get(flag, False), bool):
                raise self.fail(f"{where} → {flag}", "must be true or false")
        separator = raw.get("separator")
        if separator is not None and (not isinstance(separator, str) or not separator):
            raise self.fail(f"{where} → separator", "must be a non-empty string such as ';'")
        vocabulary = raw.get("vocabulary")
        if vocabulary is not None and self.schemes is not None and vocabulary not in self.schemes:
            raise self.fail(f"{where} → vocabulary", f"no scheme {vocabulary!r}",
                            f"schemes are {', '.join(sorted(self.schemes))}")  # fmt: skip
        use = raw.get("use", "concept")
        if use not in ("concept", "class") or (use == "class" and vocabulary is None):
            raise self.fail(f"{where} → use", "use is 'concept' or 'class', with a vocabulary")
        territory = raw.get("territory")
        if territory is not None and territory not in TERRITORIES:
            raise self.fail(f"{where} → territory", f"unknown territory {territory!r}",
                            f"use one of {', '.join(TERRITORIES)}")  # fmt: skip
        link = raw.get("link")
        link_target: tuple[str, str | None] | None = None
        if link is not None:
            if not isinstance(link, str):
                raise self.fail(f"{where} → link", "give a table name, or table.node")
            table, _dot, node = link.partition(".")
            link_target = (table, node or None)
        template = raw.get("template")
        value_class = raw.get("class")
        iri_constant = raw.get("iri")
        return ValueMapping(
            where=where,
            properties=props,
            column=str(column) if column is not None else None,
            value=str(raw["value"]) if "value" in raw else None,
            iri=self.term(iri_constant, f"{where} → iri", kind="IRI")
            if iri_constant is not None
            else None,
            node=str(raw["node"]) if "node" in raw else None,
            datatype=datatype,
            lang=str(lang) if lang is not None else None,
            required=bool(raw.get("required", False)),
            separator=separator,
            vocabulary=vocabulary,
            use=use,
            territory=territory,
            link=link_target,
            template=parse_template(template, where=f"{where} → template", path=self.path)
            if isinstance(template, str)
            else None,
            value_class=self.term(value_class, f"{where} → class", kind="class")
            if value_class is not None
            else None,
            when=str(raw["when"]) if "when" in raw else None,
        )


# --------------------------------------------------------------------------------------------------
# SKOS vocabularies
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """A concept of a scheme, with what a cell may say to name it."""

    iri: URIRef
    key: str
    label_fr: str
    names: frozenset[str]
    category_class: URIRef | None = None
    notation: str | None = None
    exact_match: URIRef | None = None  # skos:exactMatch, e.g. a unit's QUDT unit


@dataclass
class Vocabularies:
    """The SKOS schemes of ``ontology/vocabularies``, searchable by label, notation or key."""

    schemes: dict[str, list[Concept]] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> Vocabularies:
        """Read every ``*.ttl`` of ``directory``.

        Raises:
            MappingError: no vocabulary there, or one that cannot be parsed.
        """
        files = sorted(directory.glob("*.ttl"))
        if not files:
            raise MappingError("no vocabulary files", path=str(directory),
                               hint="set PTCE_ONTOLOGY_DIR")  # fmt: skip
        graph = Graph()
        for path in files:
            try:
                graph.parse(path, format="turtle")
            except (OSError, SyntaxError, ValueError) as e:
                raise MappingError(f"cannot parse the vocabulary: {e}", path=str(path)) from e
        vocab = cls()
        for concept, scheme in sorted(graph.subject_objects(SKOS.inScheme)):
            if not isinstance(concept, URIRef):
                continue
            scheme_key = str(scheme).rstrip("/").rsplit("/", 1)[-1]
            names = {normalise(str(concept).rsplit("/", 1)[-1])}
            label_fr = str(concept).rsplit("/", 1)[-1]
            for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
                for label in graph.objects(concept, p):
                    names.add(normalise(str(label)))
                    if p == SKOS.prefLabel and getattr(label, "language", None) == "fr":
                        label_fr = str(label)
            category = graph.value(concept, PTCE.categoryClass)
            notation = graph.value(concept, SKOS.notation)
            match = graph.value(concept, SKOS.exactMatch)
            vocab.schemes.setdefault(scheme_key, []).append(
                Concept(
                    iri=concept,
                    key=str(concept).rsplit("/", 1)[-1],
                    label_fr=label_fr,
                    names=frozenset(n for n in names if n),
                    category_class=category if isinstance(category, URIRef) else None,
                    notation=str(notation) if notation is not None else None,
                    exact_match=match if isinstance(match, URIRef) else None,
                )
            )
        return vocab

    def accepted(self, scheme: str) -> list[str]:
        """The French labels of the scheme's concepts (with their code, if any)."""
        return [
            f"{c.label_fr} ({c.notation})" if c.notation else c.label_fr
            for c in self.schemes.get(scheme, [])
        ]

    def find(self, scheme: str, text: str) -> Concept:
        """The concept that ``text`` names: a label (any language), a notation, its key.

        Case, accents, hyphens and apostrophes do not matter. When nothing matches exactly, a text
        that starts exactly one concept's label at a word boundary ("Culture" for "culture et
        industries créatives") names that concept.

        Raises:
            LookupError: nothing or more than one concept matches (the message lists candidates).
        """
        wanted = normalise(text)
        concepts = self.schemes.get(scheme, [])
        exact = [c for c in concepts if wanted in c.names]
        if len(exact) == 1:
            return exact[0]
        prefixed = [c for c in concepts if any(n.startswith(wanted + " ") for n in c.names)]
        if wanted and not exact and len(prefixed) == 1:
            return prefixed[0]
        if exact or len(prefixed) > 1:
            raise LookupError(", ".join(c.label_fr for c in exact or prefixed))
        raise LookupError("")
