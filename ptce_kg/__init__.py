"""ptce_kg: the knowledge base of France's PTCE (pôles territoriaux de coopération économique)."""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata on first use: importing
    ``importlib.metadata`` costs ~50 ms, which every process that imports ptce_kg would pay (the
    parse children that each request body gets, too)."""
    if name != "__version__":
        raise AttributeError(f"module 'ptce_kg' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ptce-kg")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"
