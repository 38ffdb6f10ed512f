"""The mapping model: every mistake is a MappingError naming the file and the key; IRI templates
mint valid, stable IRIs; vocabulary look-ups ignore case and accents and list accepted values."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA_DIR
from hypothesis import given
from hypothesis import strategies as st

from ingest.conftest import SIMPLE_MAPPING
from ptce_kg.errors import MappingError
from ptce_kg.ingest.mapping import ImportMapping, Vocabularies, parse_template, read_mapping
from ptce_kg.namespaces import PTCE, slugify

MAPPINGS = sorted((DATA_DIR / "templates").glob("*.mapping.yaml")) + sorted(
    (DATA_DIR / "samples").glob("*.mapping.yaml")
)
CONCEPT = "https://w3id.org/ptce/id/concept/"


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_mappings_read(path: Path, vocabularies: Vocabularies) -> None:
    mapping = read_mapping(path, schemes=vocabularies.schemes)
    assert mapping.tables and all(t.columns for t in mapping.tables)


BAD = {
    "unknown-prefix": (("skos:prefLabel", "foo:prefLabel"), "unknown prefix in 'foo:prefLabel'"),
    "unknown-ptce-term": (("ptce:sector", "ptce:sectr"), "'ptce:sectr' is not a term of"),
    "unknown-skos-term": (("skos:prefLabel", "skos:prefLabl"), "is not a term of"),
    "unknown-class": (("class: ptce:PTCE", "class: ptce:Pole"), "'ptce:Pole' is not a term"),
    "property-as-class": (("class: ptce:PTCE", "class: ptce:sector"), "is not a class"),
    "class-as-property": (("ptce:sourceNote", "ptce:Indicator"), "is not a property"),
    "unknown-scheme": (("vocabulary: sector", "vocabulary: sectors"), "no scheme 'sectors'"),
    "unknown-datatype": (("datatype: date-or-year", "datatype: year"), "unknown datatype 'year'"),
    "unknown-territory": (("territory: commune", "territory: city"), "unknown territory 'city'"),
    "unknown-key": (('separator: ";"', 'separater: ";"'), "unknown key(s) ['separater']"),
    "unknown-function": (("{slug(Nom)}", "{upper(Nom)}"), "unknown function 'upper'"),
    "foreign-template": (('"ptce/synthetic-', '"https://example.org/ptce/'), "is not under"),
    "org-keyed-by-siren": (
        ('"ptce/synthetic-{slug(Nom)}"', '"org/synthetic-{digits(Nom)}"'),
        "keys an organisation by an identifier",
    ),
    "link-to-no-table": (("territory: commune", "link: communes"), "no table 'communes'"),
    "duplicate-yaml-key": (("lang: fr,", "lang: fr, lang: en,"), "written twice"),
    "two-sources": (("column: Note}", "column: Note, value: x}"), "exactly one of column"),
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_mapping_mistakes_name_the_file_and_key(
    write_mapping: Callable[[str], ImportMapping], change: tuple[tuple[str, str], str]
) -> None:
    (old, new), expected = change
    assert old in SIMPLE_MAPPING
    with pytest.raises(MappingError) as caught:
        write_mapping(SIMPLE_MAPPING.replace(old, new, 1))
    message = str(caught.value)
    assert "mapping.yaml" in message
    assert expected in message
    if "written twice" not in expected:
        assert "tables[0] (pôles)" in message


def test_a_missing_mapping_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="no such mapping file"):
        read_mapping(tmp_path / "nothing.yaml")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Culture", "sector/culture-creative-industries"),
        ("culture", "sector/culture-creative-industries"),
        ("CULTURE AND CREATIVE INDUSTRIES", "sector/culture-creative-industries"),
        ("Eco-activites", "sector/eco-activities"),
        ("éco activités", "sector/eco-activities"),
        ("  Économie   circulaire ", "sector/circular-economy"),
        ("circular-economy", "sector/circular-economy"),
    ],
)
def test_sector_lookups_ignore_case_accents_and_language(
    vocabularies: Vocabularies, text: str, key: str
) -> None:
    assert str(vocabularies.find("sector", text).iri) == CONCEPT + key


def test_legal_forms_are_found_by_their_insee_code(vocabularies: Vocabularies) -> None:
    assert str(vocabularies.find("legal-form", "9220").iri) == CONCEPT + "legal-form/9220"


def test_actor_categories_name_their_class(vocabularies: Vocabularies) -> None:
    assert vocabularies.find("actor-category", "centre de recherche").category_class == (
        PTCE.ResearchCentre
    )


def test_unknown_value_lists_nothing_but_ambiguous_lists_candidates(
    vocabularies: Vocabularies,
) -> None:
    with pytest.raises(LookupError) as unknown:
        vocabularies.find("sector", "aéronautique")
    assert str(unknown.value) == ""
    with pytest.raises(LookupError) as ambiguous:
        vocabularies.find("sector", "services")
    assert "services aux entreprises" in str(ambiguous.value)
    assert "services aux personnes" in str(ambiguous.value)
    assert "textile et mode" in vocabularies.accepted("sector")


# --- IRI minting from keys (property tests) ---------------------------------------------------

SLUG_TEMPLATE = parse_template("org/synthetic-{slug(Nom)}", where="t", path=Path("t.yaml"))
DIGITS_TEMPLATE = parse_template(
    "identifier/siren/synthetic-{digits(SIREN)}", where="t", path=Path("t.yaml")
)
PLAIN_TEMPLATE = parse_template("commune/{Code}", where="t", path=Path("t.yaml"))
MINTED = re.compile(r"https://w3id\.org/ptce/id/[a-z][a-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._/-]*")


def _render(template_and_column: tuple[object, str], text: str) -> str | None:
    template, column = template_and_column
    try:
        return str(template.render({column.lower(): text}))  # type: ignore[attr-defined]
    except ValueError:
        return None


TEMPLATES = [(SLUG_TEMPLATE, "nom"), (DIGITS_TEMPLATE, "siren"), (PLAIN_TEMPLATE, "code")]


@given(st.text(), st.sampled_from(TEMPLATES))
def test_minted_iris_are_always_valid_and_stable(text: str, template: tuple[object, str]) -> None:
    iri = _render(template, text)
    if iri is None:
        return
    assert MINTED.fullmatch(iri)
    assert ".." not in iri
    ox.NamedNode(iri)  # Oxigraph accepts it as an IRI
    assert _render(template, text) == iri


@given(st.text(), st.text())
def test_distinct_slugs_never_share_an_iri(first: str, second: str) -> None:
    a, b = _render(TEMPLATES[0], first), _render(TEMPLATES[0], second)
    if a is None or b is None:
        return
    assert (a == b) == (slugify(first) == slugify(second))
