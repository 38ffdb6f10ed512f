"""Build the spreadsheet templates of data/templates/ (CSV and XLSX) from the column lists below.

Each template gets ``<name>.csv`` (UTF-8 with BOM, ``;`` — what a French spreadsheet application
opens without asking) and ``<name>.xlsx`` (the header row with a note on every column, an "Aide"
sheet that explains the columns, a "Valeurs" sheet with the accepted values of every vocabulary,
and drop-down lists on single-valued vocabulary columns). The mapping of each template is
``<name>.mapping.yaml``; tests/ingest/test_templates.py checks that both agree.

Usage: .venv/bin/python data/templates/build_templates.py
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.ingest.mapping import Vocabularies

HERE = Path(__file__).resolve().parent
FIXED = datetime(2026, 1, 1)
STAMP = rb"\g<1>2026-01-01T00:00:00Z"

# column, meaning (French), example, vocabulary scheme (None: free text), several values (";")
Column = tuple[str, str, str, str | None, bool]

PTCE: list[Column] = [
    (
        "Nom",
        "Nom du PTCE (obligatoire). Il sert aussi de clé : ne le changez plus ensuite.",
        "Pôle des Coteaux",
        None,
        False,
    ),
    ("Nom en anglais", "Nom en anglais, s'il existe.", "Coteaux pole", None, False),
    (
        "Description",
        "Une ou deux phrases sur le PTCE.",
        "Pôle de réemploi et d'alimentation durable.",
        None,
        False,
    ),
    (
        "Commune (code INSEE)",
        "Code INSEE de la commune du siège (5 caractères, pas le code postal).",
        "42187",
        None,
        False,
    ),
    ("Départements couverts", "Codes des départements sur lesquels il agit.", "42; 43", None, True),
    ("Régions couvertes", "Codes des régions sur lesquelles il agit.", "84", None, True),
    ("EPCI couverts (SIREN)", "SIREN des intercommunalités couvertes.", "244200770", None, True),
    (
        "Secteurs",
        "Secteurs d'activité.",
        "économie circulaire; alimentation et agriculture durable",
        "sector",
        True,
    ),
    ("Type de pôle", "Type de pôle.", "pôle multi-activités", "pole-type", False),
    ("Stade", "Émergent ou confirmé.", "confirmé", "stage", False),
    ("Origine", "Qui a lancé le PTCE.", "ascendante", "origin", False),
    ("Échelle", "Échelle d'action.", "intercommunalité", "scale", False),
    ("Types de territoire", "Rural, urbain, QPV, ZRR…", "rural; ZRR", "territory-type", True),
    ("Date de création", "Année (AAAA) ou date (JJ/MM/AAAA).", "2014", None, False),
    ("Statut coopératif", "SCIC ou SCOP, si le PTCE en est une.", "SCIC", "legal-form", False),
    ("Participation citoyenne", "oui ou non.", "oui", None, False),
    (
        "Financements",
        "Sources de financement.",
        "subvention publique; cotisations des membres",
        "funding",
        True,
    ),
    (
        "Structure porteuse",
        "Nom de la structure qui porte le PTCE.",
        "SCIC des Coteaux",
        None,
        False,
    ),
    (
        "SIREN de la structure porteuse",
        "Son SIREN (9 chiffres), s'il est connu.",
        "900000100",
        None,
        False,
    ),
    (
        "Sources (URL)",
        "Adresse(s) web des documents qui disent tout cela (obligatoire).",
        "https://exemple.fr/rapport-2024",
        None,
        True,
    ),
    ("Note sur les sources", "Précision libre sur les sources.", "", None, False),
]
MEMBRES: list[Column] = [
    (
        "PTCE",
        "Nom du PTCE, écrit comme dans le modèle « ptce » (obligatoire).",
        "Pôle des Coteaux",
        None,
        False,
    ),
    (
        "Organisation",
        "Nom de l'organisation membre (obligatoire).",
        "Recyclerie coopérative",
        None,
        False,
    ),
    ("SIREN", "SIREN de l'organisation (9 chiffres), s'il est connu.", "900000118", None, False),
    (
        "Catégorie",
        "Catégorie d'acteur (obligatoire).",
        "entreprise de l'ESS",
        "actor-category",
        False,
    ),
    (
        "Famille ESS",
        "Pour une entreprise de l'ESS : association, SCOP, SCIC…",
        "SCOP",
        "ess-family",
        False,
    ),
    (
        "Forme juridique",
        "Catégorie juridique INSEE (code à 4 chiffres ou libellé).",
        "5458",
        "legal-form",
        False,
    ),
    ("Commune (code INSEE)", "Code INSEE de la commune du siège.", "42187", None, False),
    ("Secteurs", "Secteurs d'activité de l'organisation.", "économie circulaire", "sector", True),
    ("Rôle", "Rôle dans le PTCE (obligatoire).", "membre fondateur", "role", False),
    (
        "Collège",
        "Collège de gouvernance, s'il y en a.",
        "collège des entreprises de l'ESS",
        "college",
        False,
    ),
    ("Début", "Année ou date d'entrée.", "2015", None, False),
    ("Fin", "Année ou date de sortie.", "", None, False),
    (
        "Sources (URL)",
        "Adresse(s) web des documents.",
        "https://exemple.fr/rapport-2024",
        None,
        True,
    ),
]
COOPERATIONS: list[Column] = [
    (
        "PTCE",
        "Nom du PTCE, écrit comme dans le modèle « ptce » (obligatoire).",
        "Pôle des Coteaux",
        None,
        False,
    ),
    ("Action", "Nom de l'action de coopération (obligatoire).", "Entrepôt partagé", None, False),
    (
        "Types de coopération",
        "Ce qui est mis en commun (obligatoire).",
        "locaux partagés; équipements partagés",
        "cooperation-type",
        True,
    ),
    (
        "Participants",
        "SIREN des organisations (ou leur nom si elles n'en ont pas).",
        "900000118; 900000126",
        None,
        True,
    ),
    ("Ressources partagées", "Ce qui est partagé, en clair.", "Un entrepôt de 800 m²", None, False),
    ("Secteurs", "Secteurs de l'action.", "économie circulaire", "sector", True),
    ("Début", "Année ou date de début.", "2017", None, False),
    ("Fin", "Année ou date de fin.", "", None, False),
    (
        "Sources (URL)",
        "Adresse(s) web des documents.",
        "https://exemple.fr/rapport-2024",
        None,
        True,
    ),
]
TEMPLATES = {
    "ptce": ("PTCE", PTCE),
    "membres": ("Membres", MEMBRES),
    "cooperations": ("Coopérations", COOPERATIONS),
}


def write_csv(path: Path, columns: list[Column]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c[0] for c in columns])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path, sheet_name: str, columns: list[Column], vocab: Vocabularies) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    values = workbook.create_sheet("Valeurs")
    help_sheet = workbook.create_sheet("Aide")
    help_sheet.append(
        ["Colonne", "Ce qu'elle contient", "Exemple", "Valeurs acceptées", "Plusieurs valeurs ?"]
    )
    ranges: dict[str, str] = {}
    for index, scheme in enumerate(sorted({c[3] for c in columns if c[3]}), start=1):
        letter = get_column_letter(index)
        accepted = vocab.accepted(scheme)
        values.cell(row=1, column=index, value=scheme).font = Font(bold=True)
        for row, label in enumerate(accepted, start=2):
            values.cell(row=row, column=index, value=label)
        values.column_dimensions[letter].width = 40
        ranges[scheme] = f"Valeurs!${letter}$2:${letter}${len(accepted) + 1}"
    for index, (name, meaning, example, scheme, several) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        note = meaning + (f"\nExemple : {example}" if example else "")
        note += "\nPlusieurs valeurs : séparez-les par « ; »." if several else ""
        note += "\nValeurs : feuille « Valeurs »." if scheme else ""
        cell.comment = Comment(note, "ptce_kg", width=300, height=120)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(40, len(name) + 4))
        help_sheet.append(
            [
                name,
                meaning,
                example,
                f"voir « Valeurs », colonne {scheme}" if scheme else "",
                "oui, séparées par « ; »" if several else "non",
            ]
        )
        if scheme and not several:
            check = DataValidation(
                type="list", formula1=f"={ranges[scheme]}", allow_blank=True, showErrorMessage=False
            )
            check.add(f"{letter}2:{letter}1000")
            sheet.add_data_validation(check)
        if name.startswith(("Commune", "SIREN", "EPCI", "Départements", "Régions")):
            for row in range(2, 1001):  # codes stay text: no lost leading zero
                sheet.cell(row=row, column=index).number_format = "@"
    for letter, width in zip("ABCDE", (30, 60, 40, 30, 20), strict=True):
        help_sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.created = FIXED
    workbook.properties.modified = FIXED
    workbook.properties.creator = "ptce_kg"
    workbook.save(path)
    _fix_timestamps(path)


def _fix_timestamps(path: Path) -> None:
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":  # openpyxl stamps the save time over ours
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", STAMP, data)
            target.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


def build() -> None:
    vocab = Vocabularies.read(PROJECT_ROOT / "ontology" / "vocabularies")
    for name, (sheet_name, columns) in TEMPLATES.items():
        write_csv(HERE / f"{name}.csv", columns)
        write_xlsx(HERE / f"{name}.xlsx", sheet_name, columns, vocab)
        sys.stdout.write(f"wrote {name}.csv and {name}.xlsx\n")


if __name__ == "__main__":
    build()
