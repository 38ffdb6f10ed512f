"""The one part of the build pyproject.toml cannot state: the list of packages.

The top-level edit sources (``ontology/``, ``shapes/``, ``queries/`` and the real data of
``data/territories/`` and ``data/ptce/``) ship as the packages ``ptce_kg._bundled.*``, mapped to
their folders by ``[tool.setuptools.package-dir]`` in pyproject.toml: the wheel and the sdist carry
them without a second copy in git, and ``ptce_kg.config`` reads them through
``importlib.resources`` when there is no source tree. Here every package is listed, data folders
included (as namespace packages), so that setuptools knows each folder it ships.
"""

import tomllib
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
PYPROJECT = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
MAPPED: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]


def mapped_packages() -> list[str]:
    """Each package of ``package-dir`` and one package per sub-folder of its folder."""
    names = []
    for package, folder in MAPPED.items():
        root = HERE / folder
        subfolders = (d.relative_to(root) for d in sorted(root.rglob("*")) if d.is_dir())
        names += [package] + [".".join((package, *d.parts)) for d in subfolders]
    return names


setup(
    packages=find_namespace_packages(include=["ptce_kg", "ptce_kg.*"], exclude=["*.__pycache__"])
    + mapped_packages()
)
