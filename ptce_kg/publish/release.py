"""The data release: its version and date (the one place they are written), and how to cite it.

The dataset (``data/``: the PTCEs and the territories they refer to) is versioned apart from the
software: ``YYYY.MM`` of the month it was released, changed only when the data change, with an
entry in ``data/CHANGELOG.md`` (a test checks the two agree, and that ``CITATION.cff`` and
``.zenodo.json`` carry the same version). The DCAT catalogue states it as the data datasets'
``dcat:version`` and ``dcterms:issued``; every PTCE page carries a "cite this" line.
"""

from __future__ import annotations

from datetime import date

#: The data release: bump both with a new entry of data/CHANGELOG.md.
DATA_VERSION = "2026.12"
DATA_ISSUED = date(2026, 12, 7)
#: Who made the data, as the catalogue, CITATION.cff and .zenodo.json name them.
CREATORS = "ptce_kg contributors"
DATA_LICENCE = "CC BY 4.0"
DATASET_URL = "https://w3id.org/ptce/dataset"
TITLES = {
    "fr": "Base de connaissances des PTCE (pôles territoriaux de coopération économique)",
    "en": "PTCE knowledge base (France's territorial economic cooperation poles)",
}
_WORDS = {
    "fr": ("Contributeurs de ptce_kg", "version des données", "jeu de données", "consulté le"),
    "en": (CREATORS, "data release", "dataset", "consulted"),
}


def cite_dataset(lang: str = "en", accessed: date | None = None) -> str:
    """How to cite the data release (``lang``: fr or en; with the date consulted if given)."""
    who, release, kind, consulted = _WORDS.get(lang, _WORDS["en"])
    title = TITLES.get(lang, TITLES["en"])
    seen = f" ({consulted} {accessed.isoformat()})" if accessed else ""
    return (
        f"{who} ({DATA_ISSUED.year}). {title}, {release} {DATA_VERSION} [{kind}]. "
        f"{DATASET_URL}{seen}. {DATA_LICENCE}."
    )


def cite_ptce(label: str, iri: str, lang: str = "en", accessed: date | None = None) -> str:
    """How to cite one PTCE's page: its label and IRI in the data release, the date consulted."""
    who, release, kind, consulted = _WORDS.get(lang, _WORDS["en"])
    title = TITLES.get(lang, TITLES["en"])
    quoted = f"« {label} »" if lang == "fr" else f"“{label}”"
    within = "Dans" if lang == "fr" else "In"
    seen = f" ({consulted} {accessed.isoformat()})" if accessed else ""
    return (
        f"{who} ({DATA_ISSUED.year}). {quoted}. {within} {title}, {release} {DATA_VERSION} "
        f"[{kind}]. {iri}{seen}. {DATA_LICENCE}."
    )


__all__ = [
    "CREATORS",
    "DATASET_URL",
    "DATA_ISSUED",
    "DATA_LICENCE",
    "DATA_VERSION",
    "TITLES",
    "cite_dataset",
    "cite_ptce",
]
