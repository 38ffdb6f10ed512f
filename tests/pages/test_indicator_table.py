"""The indicator table of a PTCE page: each observation's value, unit and reference period."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_each_indicator_row_shows_its_unit_and_its_period(site: TestClient) -> None:
    html = site.get("/id/ptce/le-damier", headers={"accept": "text/html"}).text
    table = html[html.index('id="indicators"') :]
    table = table[: table.index("</table>")]
    row = next(r for r in table.split("<tr>") if "le-damier-direct-jobs-2016" in r)
    # 167 persons in 2016: the unit concept (QUDT has no person unit) and the period, linked
    assert re.search(r">167<.*href=\"/id/concept/unit/person\">personne<", row, re.S), row
    assert '<a href="/id/period/2016">2016</a>' in row, row
