"""The library's face: ``ptce_kg`` names what a program needs, its examples run, one version."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
import tomllib
from importlib import import_module

import pytest

import ptce_kg
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.version import package_version


def test_the_examples_of_the_package_docstring_run():
    """The session in ``ptce_kg.__doc__``: open, load, validate, refuse, query, compare."""
    results = doctest.testmod(ptce_kg, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert results.failed == 0
    assert results.attempted >= 20


@pytest.mark.parametrize("name", sorted(set(ptce_kg.__all__) - {"__version__"}))
def test_each_public_name_is_the_object_of_its_home_module(name: str):
    value = getattr(ptce_kg, name)
    assert value is getattr(import_module(ptce_kg._HOMES[name]), name)
    assert name in dir(ptce_kg)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'open_stor'"):
        ptce_kg.open_stor  # noqa: B018


def test_one_version_the_project_s():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert ptce_kg.__version__ == package_version() == project["project"]["version"]


def test_importing_the_package_imports_none_of_its_modules():
    """``import ptce_kg`` stays cheap: query workers and parse children pay for it."""
    program = "import json, sys, ptce_kg; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if m.startswith("ptce_kg")] == ["ptce_kg"]
