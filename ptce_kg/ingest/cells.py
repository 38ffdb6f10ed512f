"""Cell values → RDF terms: literals by datatype, IRIs, territories from their INSEE codes.

Each conversion reads what a spreadsheet user typed or stored (``"6069"`` stored as a number for
commune ``06069``, ``oui``/``non`` for booleans, dates as text or as dates) and raises
:class:`CellError` with a French and an English message when the cell cannot be read
(docs/import.md says what each datatype accepts).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from rdflib import XSD, Literal, URIRef

from ptce_kg.ingest.sheets import CellValue, cell_text
from ptce_kg.namespaces import DEFAULT_BASE, HTTP_IRI, mint_iri


class CellError(Exception):
    """A cell that cannot be read as its mapping asks, in French and in English."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr = fr
        self.en = en


_TRUE = {"oui", "o", "vrai", "yes", "y", "true", "1", "x"}
_FALSE = {"non", "n", "faux", "no", "false", "0"}
_TERRITORY_CODES = {
    "commune": re.compile(r"\d{5}|2[AB]\d{3}"),
    "departement": re.compile(r"\d{2}|2[AB]|97[1-6]"),
    "region": re.compile(r"\d{2}"),
    "epci": re.compile(r"\d{9}"),
}
_PADDED = {"commune": 5, "departement": 2, "region": 2}


def territory_iri(kind: str, text: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a territory from its INSEE code (or an EPCI from its SIREN).

    A spreadsheet that stored "6069" as a number lost the leading zero of commune 06069: an
    all-digit code one digit short gets it back.
    """
    code = re.sub(r"\s", "", text).upper()
    if kind == "epci":
        code = re.sub(r"\D", "", code) if re.fullmatch(r"[\d.\s]+", text.strip()) else code
    width = _PADDED.get(kind)
    if width and code.isdigit() and len(code) == width - 1:
        code = "0" + code
    if not _TERRITORY_CODES[kind].fullmatch(code):
        names = {
            "commune": ("code commune INSEE (5 caractères, ex. 42187, 2A004)",
                        "INSEE commune code (5 characters, e.g. 42187, 2A004)"),
            "departement": ("code de département (ex. 42, 2A, 974)",
                            "département code (e.g. 42, 2A, 974)"),
            "region": ("code de région (2 chiffres, ex. 84)", "région code (2 digits, e.g. 84)"),
            "epci": ("SIREN d'EPCI (9 chiffres)", "EPCI SIREN (9 digits)"),
        }[kind]  # fmt: skip
        raise CellError(f"« {text} » n'est pas un {names[0]}", f'"{text}" is not an {names[1]}')
    return mint_iri(kind, code, base=base)


def parse_iri(text: str) -> URIRef:
    """An absolute http(s) IRI, as written in a cell."""
    if not HTTP_IRI.fullmatch(text):
        raise CellError(f"« {text} » n'est pas une adresse web (http:// ou https://)",
                         f'"{text}" is not a web address (http:// or https://)')  # fmt: skip
    return URIRef(text)


def to_literal(value: CellValue, datatype: str, lang: str | None = None) -> Literal:
    """Convert a cell to a literal of ``datatype`` (see docs/import.md for what each accepts)."""
    text = cell_text(value)
    if datatype == "string":
        if isinstance(value, str):
            text = value.strip()
        return Literal(text, lang=lang)
    converters = {
        "digits": _digits,
        "integer": _integer,
        "decimal": _decimal,
        "date": _date,
        "gYear": _year,
        "date-or-year": _date_or_year,
        "boolean": _boolean,
    }
    return converters[datatype](value, text)


def _digits(value: CellValue, text: str) -> Literal:
    cleaned = re.sub(r"[\s\u00a0\u202f.]", "", text)
    if not cleaned.isdigit() or not cleaned.isascii():
        raise CellError(f"« {text} » n'est pas un code en chiffres",
                         f'"{text}" is not a code made of digits')  # fmt: skip
    return Literal(cleaned)


def _integer(value: CellValue, text: str) -> Literal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Literal(value, datatype=XSD.integer)
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        raise CellError(f"« {text} » n'est pas un nombre entier", f'"{text}" is not a whole number')
    return Literal(int(cleaned), datatype=XSD.integer)


def _decimal(value: CellValue, text: str) -> Literal:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if isinstance(value, str) and "," in cleaned:
        if "." in cleaned:
            cleaned = cleaned.replace(".", "")
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise CellError(f"« {text} » n'est pas un nombre", f'"{text}" is not a number')
    lexical = format(number.normalize(), "f")
    if "." not in lexical:
        lexical += ".0"
    return Literal(lexical, datatype=XSD.decimal)


def _date(value: CellValue, text: str) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.date().isoformat(), datatype=XSD.date)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    iso = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}" if match else text
    try:
        parsed = date.fromisoformat(iso) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CellError(f"« {text} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ)",
                         f'"{text}" is not a date (DD/MM/YYYY or YYYY-MM-DD)')  # fmt: skip
    return Literal(parsed.isoformat(), datatype=XSD.date)


def _year(value: CellValue, text: str) -> Literal:
    if not re.fullmatch(r"\d{4}", text):
        raise CellError(f"« {text} » n'est pas une année (4 chiffres)",
                         f'"{text}" is not a year (4 digits)')  # fmt: skip
    return Literal(text, datatype=XSD.gYear)


def _date_or_year(value: CellValue, text: str) -> Literal:
    if not isinstance(value, date) and re.fullmatch(r"\d{4}", text):
        return _year(value, text)
    try:
        return _date(value, text)
    except CellError as e:
        raise CellError(
            f"« {text} » n'est ni une année (AAAA) ni une date (JJ/MM/AAAA)",
            f'"{text}" is neither a year (YYYY) nor a date (DD/MM/YYYY)',
        ) from e


def _boolean(value: CellValue, text: str) -> Literal:
    key = text.strip().casefold()
    if key in _TRUE or key in _FALSE:
        return Literal(key in _TRUE, datatype=XSD.boolean)
    raise CellError(f"« {text} » n'est pas oui/non", f'"{text}" is not yes/no (oui/non)')
