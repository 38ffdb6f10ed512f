"""The bundled sources: where the settings find them, and ``ptce-kg load --bundled``.

The installed wheel is exercised end to end by test_wheel.py; these tests pin the rules it relies on
in the source tree: the top-level folders are the defaults in a checkout, the package's copies
elsewhere, and ``load --bundled`` reads ``PTCE_DATA_DIR`` in dependency order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_DATA
from typer.testing import CliRunner

from ptce_kg import cli, config
from ptce_kg.cli.data import bundled_data
from ptce_kg.config import PROJECT_ROOT, Settings, source_dir

runner = CliRunner()


def test_a_checkout_reads_the_top_level_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ONTOLOGY", "SHAPES", "QUERIES", "DATA"):
        monkeypatch.delenv(f"PTCE_{name}_DIR", raising=False)
    settings = Settings()
    assert settings.ontology_dir == PROJECT_ROOT / "ontology"
    assert settings.shapes_dir == PROJECT_ROOT / "shapes"
    assert settings.queries_dir == PROJECT_ROOT / "queries"
    assert settings.data_dir == PROJECT_ROOT / "data"


def test_outside_a_source_tree_the_package_copies_are_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)  # site-packages: no pyproject.toml
    monkeypatch.delenv("PTCE_DATA_DIR", raising=False)
    package = Path(config.__file__).resolve().parent
    assert source_dir("ontology") == package / "_bundled" / "ontology"
    assert Settings().data_dir == package / "_bundled" / "data"


def test_settings_still_point_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PTCE_QUERIES_DIR", str(tmp_path))
    monkeypatch.setenv("PTCE_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    assert (settings.queries_dir, settings.data_dir) == (tmp_path, tmp_path / "data")


def test_only_the_bundled_sources_have_a_default() -> None:
    with pytest.raises(ValueError, match="examples"):
        source_dir("examples")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder shaped like the bundled one: the fixture territories and two PTCEs."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA / "territories", data / "territories")
    (data / "ptce").mkdir()
    for path in sorted((FIXTURE_DATA / "ptce").glob("*.ttl"))[:2]:
        shutil.copy(path, data / "ptce")
    return data


def test_bundled_data_puts_territories_first_by_level(data_dir: Path) -> None:
    (data_dir / "territories" / "epci.ttl").write_text("# another level\n")
    names = [p.relative_to(data_dir).as_posix() for p in bundled_data(data_dir)]
    assert names[:4] == [
        "territories/regions.ttl",
        "territories/departements.ttl",
        "territories/communes.ttl",
        "territories/epci.ttl",
    ]
    assert names[4:] == sorted(f"ptce/{p.name}" for p in (data_dir / "ptce").iterdir())


def test_load_bundled_loads_the_data_dir_then_the_files_given(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTCE_DATA_DIR", str(data_dir))
    extra = FIXTURE_DATA / "ptce" / "edenn.ttl"
    result = runner.invoke(
        cli.app, ["load", "--bundled", "--store", str(tmp_path / "store"), str(extra)]
    )
    assert result.exit_code == 0, result.stderr
    loaded = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("loaded ")]
    assert loaded == [str(p) for p in bundled_data(data_dir)] + [str(extra)]


def test_load_bundled_without_data_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTCE_DATA_DIR", str(tmp_path))
    result = runner.invoke(cli.app, ["load", "--bundled", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2
    assert "no bundled data in" in result.stderr and "PTCE_DATA_DIR" in result.stderr


def test_load_with_nothing_to_load_names_the_bundled_option(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["load", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and "--bundled" in result.stderr
