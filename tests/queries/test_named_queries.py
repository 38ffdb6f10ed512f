"""Named queries: headers, parsing, binding, answers on the bundled dataset, checks, docs index."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.plugins.sparql import prepareQuery

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.queries import (
    NamedQuery,
    find_query,
    load_queries,
    queries_index,
    query_text,
    read_query,
    run_query,
)
from ptce_kg.store import Store, open_store

from .conftest import (
    EXPECTED,
    QUERIES_DIR,
    read_csv,
    result_rows,
    to_csv,
)

QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))
CHECK_FILES = sorted((QUERIES_DIR / "checks").glob("*-violation.rq"))
DOC = PROJECT_ROOT / "docs" / "queries.md"
ID = "https://w3id.org/ptce/id/"
REQUIRED = {
    "ptces_by_region",
    "ptces_by_departement",
    "ptces_by_territory_type",
    "ptces_by_scale",
    "ptce_composition",
    "ptces_with_research_partner",
    "ptce_cooperation_types",
    "ptces_by_cooperation_type",
    "actors_in_several_ptces",
    "ptces_by_recognition",
    "ptce_indicators",
    "sector_counts_by_region",
    "ptces_meeting_decree_2015_431",
    "ptce_carriers_and_legal_forms",
    "compare_ptces",
    "similar_ptces",
}


def _cases() -> list[tuple[str, bool]]:
    cases = []
    for path in QUERY_FILES:
        query = read_query(path)
        cases.append((query.name, True))
        if query.params and not any(p.required for p in query.params.values()):
            cases.append((query.name, False))
    return cases


CASES = _cases()


def test_the_catalogue_has_every_query_of_the_brief(named_queries: dict[str, NamedQuery]) -> None:
    assert set(named_queries) >= REQUIRED


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_parses_and_its_header_fits_its_form(path: Path) -> None:
    query = read_query(path)
    prepared = prepareQuery(query.text)  # the file is plain SPARQL, header and all
    form = {"SelectQuery": "table", "ConstructQuery": "graph", "AskQuery": "boolean"}
    assert form[prepared.algebra.name] == query.returns
    assert query.title["fr"] and query.title["en"] and query.description and query.tags


#: Parameters for the queries whose catalogue example (a real PTCE of the real dataset, answered in
#: tests/test_dataset.py) has no such facts in the frozen test dataset: the synthetic PTCEs, which
#: use every term, stand in here.
FIXTURE_EXAMPLES: dict[str, dict[str, list[str]]] = {
    "compare_ptces": {"ptce": [f"{ID}ptce/synthetic-a", f"{ID}ptce/synthetic-b"]},
    "ptce_carriers_and_legal_forms": {"ptce": [f"{ID}ptce/synthetic-a"]},
    "ptce_composition": {"ptce": [f"{ID}ptce/synthetic-c"]},
    "ptce_cooperation_types": {"ptce": [f"{ID}ptce/synthetic-a"]},
    "ptce_governance": {"ptce": [f"{ID}ptce/synthetic-a"]},
    "ptce_members": {"ptce": [f"{ID}ptce/synthetic-a"], "as_of": ["2023-06-30"]},
    "similar_ptces": {"ptce": [f"{ID}ptce/synthetic-a"]},
}


@pytest.mark.parametrize(
    ("name", "with_examples"),
    CASES,
    ids=[f"{n}-{'example' if e else 'all'}" for n, e in CASES],
)
def test_answer_matches_the_expected_file(
    dataset_store: Store,
    named_queries: dict[str, NamedQuery],
    update_expected: bool,
    name: str,
    with_examples: bool,
) -> None:
    query = named_queries[name]
    params = FIXTURE_EXAMPLES.get(name, query.example_params()) if with_examples else {}
    rows = result_rows(run_query(dataset_store, query, params))
    expected = EXPECTED / f"{name}{'' if with_examples else '.all'}.csv"
    if update_expected:
        expected.write_text(to_csv(rows), encoding="utf-8")
    assert len(rows) > 1, f"{name} answers nothing on the bundled dataset"
    assert rows == read_csv(expected)


def _column(store: Store, query: NamedQuery, params: dict[str, str], column: str) -> list[str]:
    result = run_query(store, query, params)
    index = result.variables.index(column)
    return sorted(str(row[index]) for row in result.rows)


# --------------------------------------------------------------------------- answers by hand
def test_le_damier_direct_jobs_2016_2019_2022(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    result = run_query(
        dataset_store,
        named_queries["ptce_indicators"],
        {"ptce": f"{ID}ptce/le-damier", "indicator": "direct-jobs"},
    )
    values = {(str(b["date"]), float(b["value"])) for b in result.bindings()}
    assert values == {("2016", 167.0), ("2019", 348.0), ("2022", 430.0)}
    assert len(result.rows) == 9  # three sources for each value


def test_ptces_in_auvergne_rhone_alpes(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    ptces = _column(dataset_store, named_queries["ptces_by_region"], {"region_code": "84"}, "ptce")
    assert {f"{ID}ptce/le-damier", f"{ID}ptce/pole-sud-archer", f"{ID}ptce/synthetic-a"} <= set(
        ptces
    )
    assert f"{ID}ptce/la-coursive-boutaric" not in ptces  # Dijon: Bourgogne-Franche-Comté


def test_the_synthetic_association_is_member_of_two_ptces(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    result = run_query(dataset_store, named_queries["actors_in_several_ptces"], {})
    pairs = {(str(b["actor"]), str(b["ptce"]), int(b["ptces"])) for b in result.bindings()}
    actor = f"{ID}org/synthetic-asso-insertion"
    assert pairs == {(actor, f"{ID}ptce/synthetic-a", 2), (actor, f"{ID}ptce/synthetic-b", 2)}
    everyone = run_query(
        dataset_store, named_queries["actors_in_several_ptces"], {"min_ptces": "1"}
    )
    assert len(everyone.rows) > len(result.rows)


def test_decree_rule_needs_a_current_enterprise_outside_the_ess(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    # Pole A's only SME left on 2022-12-31: A no longer meets the rule; B and C do.
    query = named_queries["ptces_meeting_decree_2015_431"]
    assert _column(dataset_store, query, {"verdict": "meets"}, "ptce") == [
        f"{ID}ptce/synthetic-b",
        f"{ID}ptce/synthetic-c",
    ]
    assert f"{ID}ptce/synthetic-a" in _column(
        dataset_store, query, {"verdict": "not shown"}, "ptce"
    )


def test_decree_rule_cannot_tell_when_the_composition_is_not_documented(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    # Le Damier's sources name no member (ptce:compositionDocumented false): unknown, not zero
    query = named_queries["ptces_meeting_decree_2015_431"]
    rows = {
        str(b["ptce"]): (str(b["verdict"]), int(b["members"]))
        for b in run_query(dataset_store, query, {}).bindings()
    }
    assert rows[f"{ID}ptce/le-damier"] == ("cannot tell", 0)
    assert len(rows) == 34  # every PTCE gets a verdict
    cannot = _column(dataset_store, query, {"verdict": "cannot tell"}, "ptce")
    assert f"{ID}ptce/le-damier" in cannot and f"{ID}ptce/synthetic-b" not in cannot


def test_members_at_a_date_leave_out_ended_memberships(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["ptce_members"]
    pole = f"{ID}ptce/synthetic-a"
    sme = f"{ID}org/synthetic-pme-transport"
    assert sme in _column(dataset_store, query, {"ptce": pole}, "member")
    assert sme in _column(dataset_store, query, {"ptce": pole, "as_of": "2022-12-31"}, "member")
    assert sme not in _column(dataset_store, query, {"ptce": pole, "as_of": "2023-01-01"}, "member")
    # a start given as a year counts for the whole year
    assert f"{ID}org/synthetic-asso-insertion" in _column(
        dataset_store, query, {"ptce": pole, "as_of": "2015-01-01"}, "member"
    )


def test_a_broader_cooperation_type_finds_the_narrower_ones(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["ptces_by_cooperation_type"]
    params = {"cooperation_type": "shared-support-functions"}
    assert set(_column(dataset_store, query, params, "ptce")) == {
        f"{ID}ptce/synthetic-a",  # shared accounting
        f"{ID}ptce/synthetic-c",
    }


def test_a_scop_counts_as_cooperative_and_ess_enterprise(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    result = run_query(
        dataset_store, named_queries["ptce_composition"], {"ptce": f"{ID}ptce/synthetic-a"}
    )
    counts = {
        str(b["category"]).rsplit("/", 2)[-2:][1]: int(b["members"]) for b in result.bindings()
    }
    assert counts["scop"] == 1
    assert counts["cooperative"] == 1
    assert counts["ess-enterprise"] == 2  # the SCOP and the association
    assert counts["citizen"] == 1


def test_similarity_is_a_jaccard_index_over_features(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    result = run_query(
        dataset_store, named_queries["similar_ptces"], {"ptce": f"{ID}ptce/synthetic-a"}
    )
    rows = {str(b["other"]): b for b in result.bindings()}
    # A: 2 sectors, 5 cooperation types, 4 top actor categories; B: 3, 4, 4. They share the
    # circular economy and 3 actor categories (ESS, outside the ESS, article 9): 4 / (11 + 11 - 4).
    b = rows[f"{ID}ptce/synthetic-b"]
    assert (int(b["shared"]), int(b["own_features"]), int(b["other_features"])) == (4, 11, 11)
    assert float(b["score"]) == pytest.approx(4 / 18)
    for row in rows.values():
        shared, own, other = (int(row[k]) for k in ("shared", "own_features", "other_features"))
        assert float(row["score"]) == pytest.approx(shared / (own + other - shared))
    scores = [float(row[result.variables.index("score")]) for row in result.rows]  # type: ignore[arg-type]
    assert scores == sorted(scores, reverse=True)
    assert f"{ID}ptce/synthetic-a" not in rows


def test_compare_gives_one_row_per_ptce_asked(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    ptces = [f"{ID}ptce/le-damier", f"{ID}ptce/synthetic-a", f"{ID}ptce/synthetic-c"]
    result = run_query(dataset_store, named_queries["compare_ptces"], {"ptce": ptces})
    assert sorted(str(r[0]) for r in result.rows) == ptces
    damier = next(b for b in result.bindings() if str(b["ptce"]) == ptces[0])
    assert str(damier["latest_direct_jobs"]) == "2022: 430"  # the latest of 2016, 2019, 2022
    assert str(damier["region_code"]) == "84"


# ---------------------------------------------------------------------------------- binding
def test_a_string_injection_stays_a_literal(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    before = dataset_store.quad_count()
    attack = '84" } ; DROP ALL ; SELECT * { "'
    # the région code has a pattern: refused before any SPARQL is written
    with pytest.raises(QueryError, match="does not match"):
        query_text(named_queries["ptces_by_region"], {"region_code": attack})
    # a free string parameter: the value is one escaped literal of the VALUES block
    text = query_text(_string_query(), {"label": attack})
    assert f"VALUES ?label {{ {Literal(attack).n3()} }}" in text
    assert prepareQuery(text).algebra.name == "SelectQuery"
    assert run_query(dataset_store, _string_query(), {"label": attack}).rows == []
    assert dataset_store.quad_count() == before


def _string_query() -> NamedQuery:
    return read_query(Path(__file__).parent / "data" / "label_search.rq")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        pytest.param("https://w3id.org/ptce/id/ptce/le-damier", True, id="https-iri"),
        pytest.param("http://example.org/x", True, id="http-iri"),
        pytest.param("> } ; DROP ALL #", False, id="injection"),
        pytest.param("https://w3id.org/ptce/id/ptce/x> } ; DROP ALL #", False, id="iri-injection"),
        pytest.param("le-damier", True, id="key"),
        pytest.param("urn:isbn:1", False, id="not-http"),
        pytest.param("https://example.org/a b", False, id="space"),
    ],
)
def test_iri_parameters_must_be_absolute_http_iris(
    named_queries: dict[str, NamedQuery], value: str, accepted: bool
) -> None:
    query = named_queries["ptce_indicators"]
    if accepted:
        iri = value if "//" in value else f"https://w3id.org/ptce/id/ptce/{value}"
        assert f"VALUES ?ptce {{ <{iri}> }}" in query_text(query, {"ptce": value})
    else:
        with pytest.raises(QueryError, match="not an absolute http"):
            query_text(query, {"ptce": value})


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        pytest.param("ptce_indicators", {"colour": "red"}, "unknown parameter", id="unknown"),
        pytest.param("similar_ptces", {}, "needs the parameter", id="missing-required"),
        pytest.param(
            "ptce_indicators",
            {"ptce": ["http://a.org/1", "http://a.org/2"]},
            "takes one value",
            id="several-values",
        ),
        pytest.param("actors_in_several_ptces", {"min_ptces": "two"}, "not an integer", id="int"),
        pytest.param(
            "ptce_members", {"ptce": f"{ID}ptce/x", "as_of": "2022"}, "not a date", id="date"
        ),
        pytest.param(
            "ptce_members",
            {"ptce": f"{ID}ptce/x", "as_of": "2022-02-30"},
            "not a date",
            id="no-day",
        ),
        pytest.param(
            "ptces_by_sector", {"sector": "Eco Activities"}, "not a concept", id="concept"
        ),
        pytest.param(
            "ptces_by_sector",
            {"sector": "https://w3id.org/ptce/id/concept/scale/commune"},
            "not a concept",
            id="concept-of-another-scheme",
        ),
    ],
)
def test_bad_parameters_are_query_errors(
    named_queries: dict[str, NamedQuery], query: str, params: dict[str, str], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        query_text(named_queries[query], params)


def test_concepts_are_given_by_key_or_iri(named_queries: dict[str, NamedQuery]) -> None:
    query = named_queries["ptces_by_sector"]
    iri = "https://w3id.org/ptce/id/concept/sector/eco-activities"
    assert query_text(query, {"sector": "eco-activities"}) == query_text(query, {"sector": iri})
    assert f"VALUES ?sector {{ <{iri}> }}" in query_text(query, {"sector": iri})


def test_typed_values_are_bound_as_typed_literals(named_queries: dict[str, NamedQuery]) -> None:
    members = query_text(
        named_queries["ptce_members"], {"ptce": f"{ID}ptce/x", "as_of": "2023-06-30"}
    )
    assert '"2023-06-30"^^<http://www.w3.org/2001/XMLSchema#date>' in members
    several = query_text(named_queries["actors_in_several_ptces"], {"min_ptces": "3"})
    assert "VALUES ?min_ptces { 3 }" in several.replace(
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', "3"
    )


def test_unknown_query_is_not_found(named_queries: dict[str, NamedQuery]) -> None:
    with pytest.raises(NotFound, match="no named query"):
        find_query(named_queries, "ptces_on_mars")


# ----------------------------------------------------------------------------------- headers
GOOD_HEADER = """#+ title: {fr: Essai, en: Test}
#+ description: A test.
#+ params:
#+   ptce: {type: iri, example: "http://example.org/p", description: a PTCE}
#+ tags: [test]
#+ returns: table
SELECT ?ptce WHERE { ?ptce a ?c }
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("SELECT * WHERE { ?s ?p ?o }\n", r"no #\+ header", id="no-header"),
        pytest.param(GOOD_HEADER.replace("{fr: Essai, en: Test}", "Test"), "title", id="title"),
        pytest.param(GOOD_HEADER.replace(", en: Test", ""), "title", id="no-english-title"),
        pytest.param(
            GOOD_HEADER.replace("#+ description: A test.\n", ""), "description", id="desc"
        ),
        pytest.param(GOOD_HEADER.replace("returns: table", "returns: rows"), "returns", id="ret"),
        pytest.param(GOOD_HEADER.replace("type: iri", "type: uri"), "type must be", id="type"),
        pytest.param(GOOD_HEADER.replace("type: iri", "type: concept"), "scheme", id="no-scheme"),
        pytest.param(
            GOOD_HEADER.replace('example: "http://example.org/p", ', ""), "example", id="ex"
        ),
        pytest.param(GOOD_HEADER.replace("http://example.org/p", "p"), "example", id="bad-example"),
        pytest.param(
            GOOD_HEADER.replace("SELECT ?ptce", "SELECT ?x").replace("?ptce a", "?x a"),
            "not a variable",
            id="param-not-in-query",
        ),
        pytest.param(GOOD_HEADER.replace("#+ tags", "#+ author: me\n#+ tags"), "unknown", id="key"),
        pytest.param(
            GOOD_HEADER.replace("description: a PTCE", "description: a PTCE, colour: red"),
            "unknown field",
            id="param-key",
        ),
        pytest.param(GOOD_HEADER.replace("[test]", "[test"), "not valid YAML", id="yaml"),
        pytest.param(GOOD_HEADER.replace("WHERE {", "{"), "WHERE", id="no-where"),
    ],
)
def test_a_bad_header_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "good.rq").write_text(GOOD_HEADER, encoding="utf-8")
    assert set(load_queries(tmp_path)) == {"good"}
    (tmp_path / "bad.rq").write_text(text, encoding="utf-8")
    with pytest.raises(QueryError, match=message):
        load_queries(tmp_path)


def test_values_go_into_the_top_level_where_group(tmp_path: Path) -> None:
    tricky = GOOD_HEADER.replace(
        "SELECT ?ptce WHERE { ?ptce a ?c }",
        "# a comment with WHERE { in it\n"
        'SELECT ?ptce (CONCAT("{", "where {") AS ?x) WHERE {\n'
        "  { SELECT ?ptce WHERE { ?ptce a <http://example.org/where> } }\n}",
    )
    (tmp_path / "tricky.rq").write_text(tricky, encoding="utf-8")
    text = query_text(read_query(tmp_path / "tricky.rq"), {"ptce": "http://example.org/p"})
    assert ") AS ?x) WHERE {\n  VALUES ?ptce { <http://example.org/p> }\n  { SELECT" in text
    assert prepareQuery(text).algebra.name == "SelectQuery"


# ------------------------------------------------------------------------- quality checks
@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: p.stem)
def test_quality_check_finds_nothing_on_the_bundled_data(dataset_store: Store, path: Path) -> None:
    result = dataset_store.query(path.read_text(encoding="utf-8"))
    assert result.rows == [], f"{path.name}: {result.rows[:5]}"


def test_there_are_quality_checks() -> None:
    assert len(CHECK_FILES) >= 5


# -------------------------------------------------------------------------------------- docs
def test_docs_queries_index_is_up_to_date(
    named_queries: dict[str, NamedQuery], update_expected: bool
) -> None:
    generated = queries_index(named_queries)
    if update_expected:
        DOC.write_text(generated, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == generated, (
        "docs/queries.md is stale: .venv/bin/pytest tests/queries --update-expected"
    )


def test_every_query_answers_a_competency_question(named_queries: dict[str, NamedQuery]) -> None:
    questions = (PROJECT_ROOT / "docs" / "competency-questions.md").read_text(encoding="utf-8")
    assert questions.count("\n## ") + questions.count("\n| CQ") >= 15
    missing = [name for name in named_queries if f"`{name}`" not in questions]
    assert not missing, f"queries answering no competency question: {missing}"


def test_an_actor_with_several_roles_in_a_ptce_is_one_row(
    named_queries: dict[str, NamedQuery],
) -> None:
    # ADEME is both funder and partner of one PTCE, member of another: two PTCEs, two rows
    store = open_store(":memory:")
    store.update(
        f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX ptce: <https://w3id.org/ptce/ontology#>
        INSERT DATA {{ GRAPH <{ID}graph/x> {{
          <{ID}ptce/a> a ptce:PTCE . <{ID}ptce/b> a ptce:PTCE .
          <{ID}membership/1> org:member <{ID}org/ademe> ; org:organization <{ID}ptce/a> .
          <{ID}membership/2> org:member <{ID}org/ademe> ; org:organization <{ID}ptce/a> .
          <{ID}membership/3> org:member <{ID}org/ademe> ; org:organization <{ID}ptce/b> .
        }} }}"""
    )
    rows = run_query(store, named_queries["actors_in_several_ptces"], {}).rows
    assert [(str(r[0]), int(str(r[2])), str(r[3])) for r in rows] == [
        (f"{ID}org/ademe", 2, f"{ID}ptce/a"),
        (f"{ID}org/ademe", 2, f"{ID}ptce/b"),
    ]


def test_composition_as_of_counts_the_memberships_running_that_day(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    # Pole A's only SME left on 2022-12-31
    query = named_queries["ptce_composition"]
    outside = f"{ID}concept/actor-category/enterprise-outside-ess"

    def counts(day: str) -> dict[str, int]:
        params = {"ptce": f"{ID}ptce/synthetic-a", "as_of": day}
        return {
            str(b["category"]): int(b["members"])
            for b in run_query(dataset_store, query, params).bindings()
        }

    assert counts("2022-12-31").get(outside, 0) >= 1
    assert counts("2023-01-01").get(outside, 0) == 0


def test_recognitions_as_of_a_day_before_the_round_are_none(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["ptces_by_recognition"]
    before = _column(
        dataset_store, query, {"recognition": "call-2013", "as_of": "2013-12-31"}, "ptce"
    )
    after = _column(
        dataset_store, query, {"recognition": "call-2013", "as_of": "2014-12-31"}, "ptce"
    )
    everyone = _column(dataset_store, query, {"recognition": "call-2013"}, "ptce")
    # undated laureates count from the round's announcement (2014-01-10)
    assert before == [] and sorted(after) == sorted(everyone) and len(everyone) > 5


def test_the_legal_form_check_reads_the_ontology_axioms(dataset_store: Store) -> None:
    """An organisation of a declared association's legal category that is not typed ptce:Association
    is found: the check derives the class from the ontology's axioms (decision 0007)."""
    check = (QUERIES_DIR / "checks" / "legal-form-class-violation.rq").read_text(encoding="utf-8")
    org = "https://example.org/org/untyped-association"
    graph = Graph()
    for row in dataset_store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ptce/graph/ontology> { ?s ?p ?o } }"
    ).triples:
        graph.add(row)
    graph.parse(
        data=f"<{org}> <http://www.w3.org/ns/regorg#orgType> <{ID}concept/legal-form/9220> .",
        format="turtle",
    )
    found = {(str(r[0]), str(r[2])) for r in graph.query(check)}
    assert found == {(org, "https://w3id.org/ptce/ontology#Association")}
