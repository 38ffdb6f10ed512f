"""One way to name things: the forms a user may give for a PTCE, an organisation, a territory or a
concept, resolved against a store.

Every route and command that takes one of them accepts:

=============  ===================================================  ==============================
kind           forms                                                e.g.
=============  ===================================================  ==============================
ptce           full IRI, or the key after ``/id/ptce/``             ``le-damier``
organisation   full IRI, or the key after ``/id/org/``              ``clermont-auvergne-metropole``
territory      full IRI, ``<kind>/<code>``, or the INSEE code       ``region/84``, ``63113``
               (a commune, département or région; an EPCI's SIREN)
region         the région's INSEE code (string parameters)          ``84``
departement    the département's INSEE code (string parameters)     ``63``, ``2A``
concept        full IRI, or the key after ``/id/concept/<scheme>/``  ``culture-creative-industries``
=============  ===================================================  ==============================

A key says what the node would be called; only the store says whether there is such a node. So
:func:`resolve_references` checks every reference of a request with **one** query (a ``VALUES``
block of the candidate IRIs and the class or scheme each must belong to), and a reference to
nothing is a :class:`~ptce_kg.errors.QueryError` naming the parameter, the value and the closest
accepted values (``difflib``, labels and keys) — never an empty answer that reads as "none
exist". The closest values are looked up only when a reference fails.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ptce_kg.errors import QueryError
from ptce_kg.namespaces import (
    DEFAULT_BASE,
    HTTP_IRI,
    PTCE,
    concept_iri,
    mint_iri,
    scheme_iri,
    slugify,
)
from ptce_kg.store import Store

#: The kinds of node a reference may name, with the class its node must have.
NODE_CLASSES: dict[str, URIRef] = {
    "ptce": PTCE.PTCE,
    "organisation": PTCE.Organisation,
    "territory": PTCE.Territory,
    "region": PTCE.Region,
    "departement": PTCE.Departement,
}
KINDS = (*NODE_CLASSES, "concept")
#: Kinds given by an INSEE code whose term stays the code (``region_code=84``).
CODE_KINDS = ("region", "departement")
_IRI_SEGMENT = {
    "ptce": "ptce",
    "organisation": "org",
    "region": "region",
    "departement": "departement",
}
_TERRITORY_SEGMENTS = ("commune", "departement", "region", "epci")
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_CODE = re.compile(r"[0-9][0-9AB][0-9]{0,7}")
_TERRITORY_PATH = re.compile(rf"({'|'.join(_TERRITORY_SEGMENTS)})/([0-9A-Za-z]+)")
SKOS_IN_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#inScheme")
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Reference:
    """A value a user gave for ``param``, naming a node of ``kind`` (a concept of ``scheme``)."""

    param: str
    value: str
    kind: str
    scheme: str | None = None

    def what(self) -> str:
        if self.kind == "concept":
            return f"concept of the scheme '{self.scheme}'"
        return {"ptce": "PTCE", "departement": "département", "region": "région"}.get(
            self.kind, self.kind
        )


def _bad(ref: Reference, hint: str, problem: str | None = None) -> QueryError:
    if problem is None:
        problem = (
            f"a {ref.what()}: neither a key nor one of its IRIs"
            if ref.kind == "concept"
            else "an absolute http(s) IRI, nor a key"
        )
    return QueryError(
        f"parameter '{ref.param}' ({ref.what()}): {ref.value!r} is not {problem}", hint=hint
    )


def candidate_iri(ref: Reference, *, base: str = DEFAULT_BASE) -> URIRef | None:
    """The IRI ``ref`` names if there is such a node (``None``: a bare territory code, which
    only a look-up can resolve).

    Raises:
        QueryError: ``ref`` is not of a form its kind accepts.
    """
    text = ref.value.strip()
    if ref.kind == "concept" and HTTP_IRI.fullmatch(text):
        assert ref.scheme is not None
        scheme_base = str(concept_iri(ref.scheme, "x", base=base))[:-1]
        if not text.startswith(scheme_base):
            raise _bad(ref, f"its IRIs start with {scheme_base}", f"a {ref.what()}")
    if HTTP_IRI.fullmatch(text):
        return URIRef(text)
    if text.startswith(("http://", "https://")):
        raise _bad(ref, "an IRI cannot hold spaces, quotes or <>{}|\\^`")
    if ref.kind == "concept":
        assert ref.scheme is not None
        if not _KEY.fullmatch(text):
            raise _bad(ref, "give a key such as 'culture-creative-industries' or the concept IRI")
        return concept_iri(ref.scheme, text, base=base)
    if ref.kind == "territory":
        path = _TERRITORY_PATH.fullmatch(text)
        if path:
            return mint_iri(path.group(1), path.group(2).upper(), base=base)
        if _CODE.fullmatch(text.upper()):
            return None
        raise _bad(
            ref, "give an INSEE code (63113, 63), region/84, departement/84 or an IRI", "a code"
        )
    if ref.kind in CODE_KINDS:
        if not _CODE.fullmatch(text.upper()):
            raise _bad(ref, "give an INSEE code, e.g. 84 (région) or 63 (département)", "a code")
        return mint_iri(_IRI_SEGMENT[ref.kind], text.upper(), base=base)
    if not _KEY.fullmatch(text):
        raise _bad(ref, f"give the key after /id/{_IRI_SEGMENT[ref.kind]}/ or a full IRI")
    return mint_iri(_IRI_SEGMENT[ref.kind], text, base=base)


def _owner(ref: Reference, base: str) -> URIRef:
    """The class (or, for a concept, the scheme) the node of ``ref`` must belong to."""
    if ref.kind == "concept":
        assert ref.scheme is not None
        return scheme_iri(ref.scheme, base=base)
    return NODE_CLASSES[ref.kind]


def resolve_references(
    store: Store, refs: Sequence[Reference], *, base: str = DEFAULT_BASE
) -> list[URIRef]:
    """Return the node each of ``refs`` names, in order, after checking the store has it.

    One query checks every reference given as an IRI or key; a bare territory code costs one
    more (its INSEE code or SIREN). Closest values are read only for a reference that fails.

    Raises:
        QueryError: a reference of a form its kind does not accept, or naming no node of its
            kind (the message names the parameter and the value, the hint the closest values).
    """
    candidates = [candidate_iri(ref, base=base) for ref in refs]
    rows = " ".join(
        f"({iri.n3()} {_owner(ref, base).n3()})"
        for ref, iri in zip(refs, candidates, strict=True)
        if iri is not None
    )
    found: set[str] = set()
    if rows:
        result = store.query(
            f"SELECT DISTINCT ?x ?t WHERE {{ VALUES (?x ?t) {{ {rows} }} "
            f"{{ ?x a ?t }} UNION {{ ?x {SKOS_IN_SCHEME.n3()} ?t }} }}"
        )
        found = {f"{row[0]} {row[1]}" for row in result.rows}
    resolved: list[URIRef] = []
    for ref, iri in zip(refs, candidates, strict=True):
        if iri is None:
            iri = _territory_by_code(store, ref, base)
        elif f"{iri} {_owner(ref, base)}" not in found:
            raise _unknown(store, ref, base)
        resolved.append(iri)
    return resolved


def resolve_reference(store: Store, ref: Reference, *, base: str = DEFAULT_BASE) -> URIRef:
    """:func:`resolve_references` for one reference."""
    return resolve_references(store, [ref], base=base)[0]


def _territory_by_code(store: Store, ref: Reference, base: str) -> URIRef:
    code = ref.value.strip().upper()
    result = store.query(
        "SELECT DISTINCT ?t WHERE { VALUES ?c { "
        f'"{code}" }} {{ ?t {PTCE.inseeCode.n3()} ?c }} UNION {{ ?t {PTCE.epciSiren.n3()} ?c }} '
        f"?t a {PTCE.Territory.n3()} }} ORDER BY ?t"
    )
    found = [t for (t,) in result.rows if isinstance(t, URIRef)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise _unknown(store, ref, base)
    paths = [str(t).split("/id/", 1)[-1] for t in found]
    raise QueryError(
        f"parameter '{ref.param}': the code {code!r} names {len(found)} territories",
        hint=f"say which: {', '.join(paths)}",
    )


# ------------------------------------------------------------------------------- suggestions
def _accepted(store: Store, ref: Reference, base: str) -> dict[str, str]:
    """Every value ``ref``'s kind accepts (key or code → label)."""
    owner = _owner(ref, base).n3()
    member = f"?x {SKOS_IN_SCHEME.n3()} {owner}" if ref.kind == "concept" else f"?x a {owner}"
    code = ref.kind in CODE_KINDS or ref.kind == "territory"
    result = store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?code) WHERE {{ {member} "
        "OPTIONAL { ?x skos:prefLabel|rdfs:label ?l } "
        f"OPTIONAL {{ ?x {PTCE.inseeCode.n3()} ?c }} }} GROUP BY ?x"
    )
    accepted: dict[str, str] = {}
    for iri, label, insee in result.rows:
        if code and insee is not None:
            key = str(insee)
        else:
            key = str(iri).rsplit("/", 1)[-1] if str(iri).startswith(base) else str(iri)
        accepted[key] = "" if label is None else str(label)
    return accepted


def closest(value: str, accepted: dict[str, str], n: int = MAX_SUGGESTIONS) -> list[str]:
    """The accepted keys most like ``value``: by ``difflib`` ratio on the key and on the label's
    slug, a key or label that holds the value counting as close."""
    wanted = value.strip().lower()
    try:
        wanted_slug = slugify(wanted)
    except ValueError:
        wanted_slug = wanted

    def score(key: str) -> float:
        label = accepted[key]
        try:
            label_slug = slugify(label) if label else ""
        except ValueError:
            label_slug = ""
        ratios = [difflib.SequenceMatcher(None, wanted_slug, k).ratio() for k in (key, label_slug)]
        contained = wanted_slug and any(wanted_slug in k for k in (key, label_slug) if k)
        return max(*ratios, 0.8 if contained else 0.0)

    scored = sorted(((score(k), k) for k in accepted), key=lambda s: (-s[0], s[1]))
    return [k for s, k in scored[:n] if s >= 0.4]


def suggest(store: Store, ref: Reference, *, base: str = DEFAULT_BASE) -> str:
    """A hint for a reference to nothing: the closest accepted values, else a few of them."""
    accepted = _accepted(store, ref, base)
    near = closest(ref.value.rsplit("/", 1)[-1], accepted)
    shown = [f"{k} ({accepted[k]})" if accepted[k] else k for k in near]
    if shown:
        return f"closest: {', '.join(shown)}"
    some = sorted(accepted)[:MAX_SUGGESTIONS]
    return f"{len(accepted)} accepted, e.g. {', '.join(some)}" if some else "none in the store"


def _unknown(store: Store, ref: Reference, base: str) -> QueryError:
    hint = suggest(store, ref, base=base)
    return QueryError(
        f"parameter '{ref.param}': no {ref.what()} {ref.value!r} in the store", hint=hint
    )


__all__ = [
    "CODE_KINDS",
    "KINDS",
    "NODE_CLASSES",
    "Reference",
    "candidate_iri",
    "closest",
    "resolve_reference",
    "resolve_references",
    "suggest",
]
