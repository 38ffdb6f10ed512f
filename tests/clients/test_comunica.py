"""Comunica's CLI (``comunica-sparql``, an npm devDependency) against the live endpoint."""

from __future__ import annotations

import json
import subprocess

import pytest

from ptce_kg.config import PROJECT_ROOT

from .conftest import LABELS, RDFS_LABEL, LiveServer

COMUNICA = PROJECT_ROOT / "node_modules" / ".bin" / "comunica-sparql"


def test_comunica_select_json(live_server: LiveServer) -> None:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `npm ci` in {PROJECT_ROOT} (make test does it)")
    query = f"SELECT ?org ?label WHERE {{ ?org <{RDFS_LABEL}> ?label }}"
    done = subprocess.run(
        [str(COMUNICA), f"sparql@{live_server.endpoint}", query, "-t", "application/json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, f"comunica-sparql failed:\n{done.stderr[-3000:]}"
    rows = json.loads(done.stdout)
    found = {(row["org"], row["label"]) for row in rows}
    assert found == {(iri, f'"{label}"@fr') for iri, label in LABELS.items()}
