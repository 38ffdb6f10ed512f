"""The server-rendered UI: search and filters, languages, compare, editor, map, accessibility."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ptce_kg.web import editor, i18n
from ptce_kg.web.map import HEIGHT, WIDTH, MapPoint, france_map, parse_wkt_point, project

HTML = {"accept": "text/html"}


class Page(HTMLParser):
    """Collects what the accessibility and offline checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parsed(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def names(text: str) -> list[str]:
    return re.findall(r'class="ptce-name" href="[^"]*">([^<]*)</a>', text)


def test_home_lists_every_ptce_with_a_map(site: TestClient) -> None:
    text = site.get("/", headers=HTML).text
    assert len(names(text)) == site.get("/?format=json").json()["count"] >= 31
    assert text.count('class="point"') >= 15
    assert '<svg class="map"' in text


@pytest.mark.parametrize(
    ("params", "expected", "excluded"),
    [
        ({"q": "DAMIER"}, "Le Damier", "Pôle Sud (Pôle Sud Archer)"),
        ({"q": "cooperation a"}, "Pôle de coopération A (synthétique)", "Le Damier"),
        ({"region": "76"}, "La Serre – Le Multiple", "Le Damier"),
        ({"sector": "textile-fashion"}, "Recyclo&#39;Occ textile", "Le Damier"),
        ({"recognition": "call-2015", "q": "synth"}, "Pôle de coopération A (synthétique)",
         "Pôle de coopération B (synthétique)"),
    ],
    ids=["name-case", "name-accents", "region", "sector", "recognition-and-name"],
)  # fmt: skip
def test_search_filters_server_side(
    site: TestClient, params: dict[str, str], expected: str, excluded: str
) -> None:
    found = names(site.get("/", params=params, headers=HTML).text)
    assert expected in found and excluded not in found


def test_search_results_as_json(site: TestClient) -> None:
    data = site.get("/", params={"region": "84", "format": "json"}).json()
    assert data["count"] == len(data["results"]) > 0
    assert all(r["region"] == "https://w3id.org/ptce/id/region/84" for r in data["results"])
    by_accept = site.get("/", params={"region": "84"}, headers={"accept": "application/json"})
    assert by_accept.json() == data


def test_no_result_says_so(site: TestClient) -> None:
    assert "Aucun PTCE ne correspond" in site.get("/?q=zzzz", headers=HTML).text


def test_language_choice_is_remembered_in_a_cookie(site: TestClient) -> None:
    site.cookies.clear()
    first = site.get("/", params={"lang": "en"}, headers=HTML)
    assert '<html lang="en">' in first.text and "Find a PTCE" in first.text
    assert "lang=en" in first.headers["set-cookie"]
    later = site.get("/compare", headers={**HTML, "accept-language": "fr"})
    assert '<html lang="en">' in later.text
    site.cookies.clear()
    assert '<html lang="fr">' in site.get("/compare", headers=HTML).text


def test_language_switch_link_keeps_the_query(site: TestClient) -> None:
    site.cookies.clear()
    text = site.get("/", params={"q": "damier"}, headers=HTML).text
    assert 'id="lang-switch" href="/?q=damier&amp;lang=en"' in text


def test_ptce_page_sections(site: TestClient) -> None:
    text = site.get("/id/ptce/synthetic-a", headers={**HTML, "accept-language": "en"}).text
    for section in ('id="members"', 'id="indicators"', 'id="recognitions"', 'id="sources"',
                    'class="chart bars"', 'id="coop-h"', 'id="sim-h"'):  # fmt: skip
        assert section in text, section
    assert "Cooperative reuse shop (synthetic)" in text
    assert "founder" in text  # a membership role
    assert 'href="/id/source/synthetic-annual-report"' in text  # a fact's source


def test_compare_two_ptces(site: TestClient) -> None:
    text = site.get(
        "/compare", params=[("ptce", "synthetic-a"), ("ptce", "synthetic-b"), ("lang", "en")]
    ).text
    assert 'id="comparison"' in text
    assert text.count('class="chart grouped"') == 1 and text.count('class="chart radar"') == 1
    assert "Similarity with Cooperation pole B (synthetic)" in text
    assert 'href="/api/compare?ptce=synthetic-a&amp;ptce=synthetic-b"' in text
    assert 'value="synthetic-a" id="pick-synthetic-a" checked' in text


@pytest.mark.parametrize(
    ("picked", "message"),
    [
        (["synthetic-a"], "compare_need"),
        ([], "compare_need"),
        (["nope", "synthetic-a"], "compare_need"),
    ],
    ids=["one", "none", "unknown"],
)
def test_compare_needs_two(site: TestClient, picked: list[str], message: str) -> None:
    text = site.get("/compare", params=[("ptce", p) for p in picked] + [("lang", "en")]).text
    assert i18n.MESSAGES["en"][message] in text and 'id="comparison"' not in text


def test_compare_caps_at_five(site: TestClient) -> None:
    keys = ["synthetic-a", "synthetic-b", "synthetic-c", "le-damier", "tetris", "pollens"]
    text = site.get("/compare", params=[("ptce", k) for k in keys] + [("lang", "en")]).text
    assert i18n.MESSAGES["en"]["compare_too_many"] in text
    header = re.search(r'<table id="comparison".*?</thead>', text, re.S)
    assert header is not None and header.group(0).count('<th scope="col">') == 6


def test_editor_serves_yasgui_locally_with_the_named_queries(site: TestClient) -> None:
    text = site.get("/editor", headers=HTML).text
    assert 'src="/static/vendor/yasgui/yasgui.min.js"' in text
    island = re.search(r'id="named-queries-data">(.*?)</script>', text, re.S)
    assert island is not None and '"name": "ptces_by_region"' in island.group(1)
    if editor.YASGUI_DIR.is_dir():
        assert site.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200


def test_editor_without_yasgui_falls_back_to_a_form(
    site: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(editor, "YASGUI_DIR", tmp_path / "missing")
    text = site.get("/editor", params={"lang": "en"}, headers=HTML).text
    assert "YASGUI is not installed" in text
    assert 'id="plain-form"' in text and "yasgui.min.js" not in text


def test_sparql_page_for_browsers_is_a_working_form(site: TestClient) -> None:
    text = site.get("/sparql", headers=HTML).text
    assert '<form method="post" action="' in text and 'name="query"' in text
    assert 'href="/editor"' in text


@pytest.mark.parametrize(
    "path",
    ["/", "/id/ptce/synthetic-a", "/compare?ptce=synthetic-a&ptce=synthetic-c", "/editor",
     "/ontology", "/shapes", "/id/concept/sector/circular-economy", "/sparql"],
)  # fmt: skip
def test_pages_are_accessible_and_load_nothing_from_elsewhere(site: TestClient, path: str) -> None:
    text = site.get(path, headers=HTML).text
    page = parsed(text)
    html = page.all("html")
    assert html and html[0].get("lang") in ("fr", "en")
    assert page.all("main") and page.all("nav") and page.all("header")
    labelled = {attrs.get("for") for attrs in page.all("label")}
    for control in page.all("input") + page.all("select") + page.all("textarea"):
        if control.get("type") not in ("hidden", "submit"):
            assert control.get("id") in labelled, control
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
        for attrs in page.all(tag):
            value = attrs.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)


def test_stylesheet_has_focus_styles(site: TestClient) -> None:
    css = site.get("/static/site.css").text
    assert ":focus-visible" in css and "outline" in css


def test_map_projection() -> None:
    assert parse_wkt_point("POINT(2.35 48.85)") == (2.35, 48.85)
    assert parse_wkt_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(1 2)") == (1, 2)
    assert parse_wkt_point("LINESTRING(0 0, 1 1)") is None
    paris, marseille = project(2.35, 48.85), project(5.37, 43.3)
    assert paris is not None and marseille is not None
    assert marseille[1] > paris[1] and marseille[0] > paris[0]  # south-east of Paris
    for point in (paris, marseille, project(55.27, -21.0)):
        assert point is not None and 0 <= point[0] <= WIDTH and 0 <= point[1] <= HEIGHT
    assert project(-73.9, 40.7) is None  # New York is not in France
    svg = france_map(
        [MapPoint("Saint-Denis <974>", "/x?a=1&b=2", 55.45, -20.88)],
        title="t", description="d", overseas="o",
    )  # fmt: skip
    assert "Saint-Denis &lt;974&gt;" in svg and 'href="/x?a=1&amp;b=2"' in svg


@pytest.mark.parametrize(
    ("param", "cookie", "header", "expected"),
    [
        (None, None, None, "fr"),
        (None, None, "en-US,en;q=0.8", "en"),
        (None, None, "de, en;q=0.5", "en"),
        (None, None, "en;q=0.2, fr;q=0.9", "fr"),
        (None, "en", "fr", "en"),
        ("fr", "en", "en", "fr"),
        ("xx", None, "en", "en"),
    ],
    ids=["default", "header", "second-choice", "quality", "cookie", "param", "bad-param"],
)
def test_choose_language(param: str | None, cookie: str | None, header: str | None,
                         expected: str) -> None:  # fmt: skip
    assert i18n.choose_language(param, cookie, header) == expected


def test_every_message_exists_in_both_languages() -> None:
    assert set(i18n.MESSAGES["fr"]) == set(i18n.MESSAGES["en"])


def test_compare_shows_an_undocumented_composition_as_unknown(site: TestClient) -> None:
    # Le Damier's sources name no member: its member counts are "?", not 0, and it has no bars
    text = site.get(
        "/compare", params=[("ptce", "le-damier"), ("ptce", "synthetic-a"), ("lang", "en")]
    ).text
    unknown = '<abbr title="Composition not documented'
    assert text.count(unknown) >= 2
    # the synthetic PTCE, documented, shows numbers in the same rows
    both = site.get(
        "/compare", params=[("ptce", "synthetic-b"), ("ptce", "synthetic-a"), ("lang", "en")]
    ).text
    assert unknown not in both
