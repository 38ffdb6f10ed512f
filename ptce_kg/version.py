"""The installed ptce_kg version: the one place it is read (``ptce_kg.__version__`` calls it)."""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    """The version of the installed ``ptce-kg`` distribution (``0+unknown`` in a source tree that
    is not installed).

    Read on first use: importing ``importlib.metadata`` costs ~50 ms, which every process that
    imports ptce_kg would pay (query workers and parse children too).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ptce-kg")
    except PackageNotFoundError:
        return "0+unknown"
