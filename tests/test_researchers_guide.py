"""docs/researchers.md: every Python block runs, in order, against the bundled real data served
by the app (urllib's requests to SERVICE go to a TestClient), so the guide cannot rot."""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.request import Request

import pytest
from fastapi.testclient import TestClient

from ptce_kg import pipeline
from ptce_kg.cli.data import bundled_data
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

GUIDE = PROJECT_ROOT / "docs" / "researchers.md"
SERVICE = "http://localhost:8000"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
REQUIRES = re.compile(r"^# requires: (\w+)")


@pytest.fixture(scope="module")
def real_site() -> Iterator[TestClient]:
    """The bundled real data (what ``ptce-kg load --bundled`` loads), served in memory."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    for path in bundled_data(PROJECT_ROOT / "data"):  # trusted, built and validated by make data
        pipeline.bulk_load_source(store, path, base_iri="https://w3id.org/ptce/")
    with TestClient(create_app(Settings(store=":memory:"), store)) as client:
        yield client


class _Answer(io.BytesIO):
    """What ``urlopen`` returns, enough for pandas and json: read(), headers, a context."""

    def __init__(self, body: bytes, headers: dict[str, str], status: int) -> None:
        super().__init__(body)
        self.headers = Message()
        for name, value in headers.items():
            self.headers[name] = value
        self.status = status


def _opener(client: TestClient) -> Any:
    def urlopen(request: str | Request, *args: object, **kwargs: object) -> _Answer:
        url = request.full_url if isinstance(request, Request) else request
        headers = dict(request.header_items()) if isinstance(request, Request) else {}
        assert url.startswith(SERVICE), f"the guide reaches outside the service: {url}"
        response = client.get(url.removeprefix(SERVICE), headers=headers)
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
        return _Answer(response.content, dict(response.headers), response.status_code)

    return urlopen


def blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_the_recipes_of_the_issue() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    code = "\n".join(blocks())
    for needle in ("pd.read_csv(", "Decimal", "Int64", "pd.Period", "nx.write_gexf", "/sparql"):
        assert needle in code, needle
    assert "```r\n" in text and "read.csv(" in text


def test_every_python_block_runs_against_the_real_data(
    real_site: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("urllib.request.urlopen", _opener(real_site))
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    namespace: dict[str, Any] = {"__name__": "researchers_guide"}
    ran = 0
    for number, block in enumerate(blocks(), start=1):
        needed = REQUIRES.match(block)
        if needed and importlib.util.find_spec(needed.group(1)) is None:
            continue  # an optional library this machine does not have
        try:
            exec(compile(block, f"{GUIDE.name} block {number}", "exec"), namespace)
        except Exception as e:  # name the block in the failure
            raise AssertionError(f"block {number} of {GUIDE.name} failed: {e!r}\n{block}") from e
        ran += 1
    assert ran >= len(blocks()) - 1
    assert (tmp_path / "actors-ptces.gexf").stat().st_size > 0
    assert len(namespace["density"]) >= 13 and len(namespace["strongest"]) == 5
