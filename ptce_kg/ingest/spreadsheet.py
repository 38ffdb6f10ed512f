"""Spreadsheets → RDF: the rows of CSV or XLSX tables turned into triples through a mapping.

The tables are read by :mod:`ptce_kg.ingest.sheets` (which never evaluates anything and never
writes back) and each cell is converted by :mod:`ptce_kg.ingest.cells`.

Every problem is collected with its spreadsheet coordinates (sheet, row as the user sees it, column
letter and header) and a French and an English message; the caller decides to reject. The
node → (sheet, row) index (:attr:`SpreadsheetRdf.origins`) lets validation results be traced back
to the row that made the node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from ptce_kg.errors import MappingError, SourceError
from ptce_kg.ingest.cells import CellError, parse_iri, territory_iri, to_literal
from ptce_kg.ingest.mapping import (
    ImportMapping,
    IriTemplate,
    NodeMapping,
    TableMapping,
    ValueMapping,
    Vocabularies,
    apply_key_function,
    normalise,
)
from ptce_kg.ingest.periods import add_member_intervals
from ptce_kg.ingest.sheets import (
    CSV_SUFFIXES,
    XLSX_SUFFIXES,
    CellValue,
    SheetTable,
    cell_text,
    column_letter,
    is_empty,
    read_csv,
    read_xlsx,
    sheet_names,
)
from ptce_kg.namespaces import DEFAULT_BASE, PREFIXES

# --------------------------------------------------------------------------------------------------
# Problems and origins
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a spreadsheet, where the user will look for it, in French and English."""

    sheet: str
    row: int | None
    column: str | None
    header: str | None
    fr: str
    en: str

    def where(self, lang: str) -> str:
        """``feuille « PTCE », ligne 4, colonne C « Secteurs »`` (or its English)."""
        fr = lang == "fr"
        parts = [f"feuille « {self.sheet} »" if fr else f'sheet "{self.sheet}"']
        if self.row is not None:
            parts.append(f"{'ligne' if fr else 'row'} {self.row}")
        if self.column is not None:
            named = f" « {self.header} »" if fr else f' "{self.header}"'
            parts.append(
                f"{'colonne' if fr else 'column'} {self.column}{named if self.header else ''}"
            )
        return ", ".join(parts)

    def text(self) -> str:
        """Two lines: French, then English."""
        return f"{self.where('fr')} : {self.fr}\n    {self.where('en')}: {self.en}"


@dataclass(frozen=True)
class RowOrigin:
    """The row a node comes from, and the column each of its properties was read from."""

    sheet: str
    row: int
    columns: tuple[tuple[str, str, str], ...] = ()

    def locate(self, prop: str | None) -> str:
        """``PTCE, ligne 4 / row 4, colonne C « Secteurs » / column C "Secteurs"``."""
        for p, letter, header in self.columns:
            if p == prop:
                return (
                    f"feuille « {self.sheet} », ligne {self.row}, colonne {letter} « {header} » / "
                    f'sheet "{self.sheet}", row {self.row}, column {letter} "{header}"'
                )
        return f'feuille « {self.sheet} », ligne {self.row} / sheet "{self.sheet}", row {self.row}'


@dataclass
class SpreadsheetRdf:
    """What a spreadsheet import made: triples, where each node came from, and the problems."""

    path: Path
    graph: Graph
    tables: list[SheetTable] = field(default_factory=list)
    origins: dict[str, list[RowOrigin]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def media_type(self) -> str:
        """The media type of the spreadsheet file."""
        if self.path.suffix.lower() in XLSX_SUFFIXES:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv"

    def ntriples(self) -> bytes:
        """The triples as N-Triples."""
        return self.graph.serialize(format="nt", encoding="utf-8")

    def locate(self, focus: str, prop: str | None) -> str | None:
        """Where the node ``focus`` (and its property ``prop``) came from, or None."""
        found = self.origins.get(focus)
        if not found:
            return None
        return "; ".join(o.locate(prop) for o in found[:3]) + (" …" if len(found) > 3 else "")

    def error(self, limit: int = 50) -> MappingError:
        """The problems as one :class:`MappingError` (French and English, by sheet, row, column)."""
        lines = [p.text() for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… {len(self.problems) - limit} more / de plus")
        return MappingError(
            f"{len(self.problems)} problem(s), nothing was loaded / {len(self.problems)} "
            "problème(s), rien n'a été chargé:\n  " + "\n  ".join(lines),
            path=str(self.path),
            hint="fix the cells (or the mapping) and import again",
        )


# --------------------------------------------------------------------------------------------------
# Rows → RDF
# --------------------------------------------------------------------------------------------------


def read_spreadsheet(
    path: Path,
    mapping: ImportMapping,
    vocabularies: Vocabularies,
    *,
    sheets: Sequence[str] = (),
    base: str = DEFAULT_BASE,
) -> SpreadsheetRdf:
    """Read ``path`` (CSV or XLSX) and turn its rows into RDF through ``mapping``.

    A CSV file is one table: the one ``sheets`` names, else the table named like the file, else the
    only table of the mapping. An XLSX workbook gives every mapped sheet it has (or those named by
    ``sheets``). Cell problems are collected in :attr:`SpreadsheetRdf.problems`.

    Raises:
        SourceError: the file cannot be read (unknown extension, broken CSV, not an XLSX).
        MappingError: the mapping does not fit the file (no such sheet, a mapped column missing,
            a header written twice).
    """
    if not path.is_file():
        raise SourceError("no such file", path=str(path), hint="check the path")
    suffix = path.suffix.lower()
    wanted = [_pick_table(mapping, s, path) for s in sheets]
    if suffix in CSV_SUFFIXES:
        table = _csv_table(mapping, wanted, path)
        read = [(table, read_csv(path, header_row=table.header_row))]
    elif suffix in XLSX_SUFFIXES:
        chosen = wanted or list(mapping.tables)
        found = read_xlsx(path, sheets=[(t.sheet, t.header_row) for t in chosen])
        by_sheet = {normalise(s.name): s for s in found}
        read = [(t, by_sheet[normalise(t.sheet)]) for t in chosen if normalise(t.sheet) in by_sheet]
        missing = [t.sheet for t in chosen if normalise(t.sheet) not in by_sheet]
        if not read or (wanted and missing):
            raise MappingError(
                f"the workbook has no sheet {' or '.join(repr(m) for m in missing)}; its sheets "
                f"are {', '.join(repr(n) for n in sheet_names(path))}",
                path=str(path),
                hint=f"rename the sheet, or fix 'sheet' in {mapping.path}",
            )
    else:
        raise SourceError(
            f"cannot import {suffix or 'a file without extension'}",
            path=str(path),
            hint="import .csv or .xlsx (save .ods/.xls as .xlsx)",
        )
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    result = SpreadsheetRdf(path=path, graph=graph, tables=[t for _m, t in read])
    _Converter(mapping, vocabularies, base, result).run(read)
    add_member_intervals(graph, base)  # the dates compare as xsd:date bounds (decision 0007)
    return result


def _pick_table(mapping: ImportMapping, name: str, path: Path) -> TableMapping:
    table = mapping.table(name)
    if table is None:
        raise MappingError(
            f"no table or sheet {name!r} in the mapping {mapping.path}",
            path=str(path),
            hint=f"tables are {', '.join(t.name for t in mapping.tables)}",
        )
    return table


def _csv_table(mapping: ImportMapping, wanted: list[TableMapping], path: Path) -> TableMapping:
    if len(wanted) > 1:
        raise MappingError("a CSV file is one table: give one --sheet", path=str(path))
    if wanted:
        return wanted[0]
    by_stem = mapping.table(path.stem)
    if by_stem is not None:
        return by_stem
    if len(mapping.tables) == 1:
        return mapping.tables[0]
    raise MappingError(
        f"which table of {mapping.path} is this CSV file?",
        path=str(path),
        hint=f"name the file after a table or give --sheet "
        f"({', '.join(t.name for t in mapping.tables)})",
    )


@dataclass
class _Row:
    """One data row: its cells by normalised header, and where each column sits."""

    table: TableMapping
    sheet: SheetTable
    number: int
    cells: dict[str, CellValue]
    letters: dict[str, tuple[str, str]]
    iris: dict[str, URIRef] = field(default_factory=dict)

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(normalise(column)))

    def texts(self) -> dict[str, str]:
        return {k: cell_text(v) for k, v in self.cells.items()}


class _Converter:
    """Two passes: mint every row's node IRIs (so links can find them), then write the triples."""

    def __init__(
        self, mapping: ImportMapping, vocabularies: Vocabularies, base: str, out: SpreadsheetRdf
    ) -> None:
        self.mapping = mapping
        self.vocabularies = vocabularies
        self.base = base
        self.out = out
        self.keys: dict[tuple[str, str], dict[str, set[URIRef]]] = {}
        self.read_tables: set[str] = set()

    def problem(self, row: _Row | None, sheet: str, column: str | None, fr: str, en: str) -> None:
        letter, header = (None, None)
        if row is not None and column is not None:
            letter, header = row.letters.get(normalise(column), (None, column))
        self.out.problems.append(
            Problem(sheet, row.number if row else None, letter, header, fr, en)
        )

    def run(self, read: list[tuple[TableMapping, SheetTable]]) -> None:
        all_rows: list[_Row] = []
        for table, sheet in read:
            rows = self.check_headers(table, sheet)
            if rows is None:
                continue
            self.read_tables.add(table.name)
            for row in rows:
                self.mint(row)
            all_rows.extend(rows)
            if not rows:
                self.problem(None, sheet.name, None, "aucune ligne de données", "no data row")
        self.check_duplicates(all_rows)
        for row in all_rows:
            self.emit(row)

    def check_headers(self, table: TableMapping, sheet: SheetTable) -> list[_Row] | None:
        positions: dict[str, int] = {}
        for index, header in enumerate(sheet.headers):
            if not header:
                continue
            key = normalise(header)
            if key in positions:
                raise MappingError(
                    f"sheet {sheet.name!r}: column {header!r} is written twice "
                    f"({column_letter(positions[key])} and {column_letter(index)}) / la colonne "
                    f"« {header} » figure deux fois",
                    path=str(self.out.path),
                    line=sheet.header_row,
                    hint="rename or remove one of them",
                )
            positions[key] = index
        missing = [c for c in table.columns if normalise(c) not in positions]
        if missing:
            raise MappingError(
                f"sheet {sheet.name!r} has no column {', '.join(repr(m) for m in missing)} that "
                f"{table.where} of the mapping reads / colonne(s) absente(s) : "
                f"{', '.join(missing)}; its columns are "
                f"{', '.join(repr(h) for h in sheet.headers)}",
                path=str(self.out.path),
                line=sheet.header_row,
                hint=f"add the column (it may stay empty) or fix the mapping {self.mapping.path}",
            )
        mapped = {normalise(c) for c in table.columns}
        ignored = [h for h in sheet.headers if h and normalise(h) not in mapped]
        if ignored:
            self.out.notes.append(
                f"{sheet.name}: column(s) not in the mapping, ignored: {', '.join(ignored)}"
            )
        letters = {k: (column_letter(i), sheet.headers[i]) for k, i in positions.items()}
        rows = []
        for number, record in sheet.rows:
            cells = {k: (record[i] if i < len(record) else None) for k, i in positions.items()}
            rows.append(_Row(table, sheet, number, cells, letters))
        return rows

    def mint(self, row: _Row) -> None:
        """Mint the row's node IRIs and index them by the table's key (and, for a node named by
        one column, by that column too; and by the one-column key of an identifier node it points
        to, such as its SIREN) so that links can find them."""
        values = row.texts()
        key = normalise(row.text(row.table.key)) if row.table.key else ""
        templates = {node.name: node.iris[0] for node in row.table.nodes}
        for node in row.table.nodes:
            minted = self.node_iri(row, node, values)
            if minted is None:
                continue
            iri, template = minted
            row.iris[node.name] = iri
            names = {key} if key else set()
            if row.table.key:
                pointed = [templates[v.node] for v in node.values if v.node in templates]
                for one in [template, *pointed]:
                    names |= _one_column_names(one, values)
            index = self.keys.setdefault((row.table.name, node.name), {})
            for name in names - {""}:
                index.setdefault(name, set()).add(iri)

    def node_iri(
        self, row: _Row, node: NodeMapping, values: dict[str, str]
    ) -> tuple[URIRef, IriTemplate] | None:
        for template in node.iris:
            if all(values.get(normalise(c)) for c in template.columns):
                try:
                    return template.render(values, base=self.base), template
                except ValueError as e:
                    column = template.columns[0]
                    self.problem(row, row.sheet.name, column,
                                 f"impossible d'en faire une clé d'IRI ({e})",
                                 f"cannot make an IRI key of it ({e})")  # fmt: skip
                    return None
        if node.main:
            empty = [c for c in node.iris[0].columns if not values.get(normalise(c))]
            for column in empty or node.iris[0].columns:
                self.problem(row, row.sheet.name, column,
                             "valeur obligatoire manquante (elle sert à nommer la ligne)",
                             "required value missing (it names the row)")  # fmt: skip
        return None

    def check_duplicates(self, rows: list[_Row]) -> None:
        seen: dict[URIRef, _Row] = {}
        for row in rows:
            main = row.iris.get(row.table.nodes[0].name)
            if main is None:
                continue
            first = seen.setdefault(main, row)
            if first is not row and first.table.name == row.table.name:
                column = row.table.nodes[0].iris[0].columns[0]
                self.problem(row, row.sheet.name, column,
                             f"même clé que la ligne {first.number} (IRI {main})",
                             f"same key as row {first.number} (IRI {main})")  # fmt: skip

    def emit(self, row: _Row) -> None:
        graph = self.out.graph
        for node in row.table.nodes:
            subject = row.iris.get(node.name)
            if subject is None:
                continue
            columns: list[tuple[str, str, str]] = []
            for cls in node.classes:
                graph.add((subject, RDF.type, cls))
            for spec in node.values:
                objects = self.objects(row, spec)
                for obj in objects:
                    for prop in spec.properties:
                        graph.add((subject, prop, obj))
                if spec.column and normalise(spec.column) in row.letters:
                    letter, header = row.letters[normalise(spec.column)]
                    columns.extend((str(p), letter, header) for p in spec.properties)
            origin = RowOrigin(row.sheet.name, row.number, tuple(columns))
            found = self.out.origins.setdefault(str(subject), [])
            if all((o.sheet, o.row) != (origin.sheet, origin.row) for o in found):
                found.append(origin)

    def objects(self, row: _Row, spec: ValueMapping) -> list[URIRef | Literal]:
        if spec.when and not row.text(spec.when):
            return []
        if spec.iri is not None:
            return [spec.iri]
        if spec.value is not None:
            try:
                return [self.convert(row, spec, spec.value)]
            except CellError as e:
                self.problem(row, row.sheet.name, None, f"{spec.where} : {e.fr}",
                             f"{spec.where}: {e.en}")  # fmt: skip
                return []
        if spec.node is not None:
            target = row.iris.get(spec.node)
            return [target] if target is not None else []
        assert spec.column is not None
        raw = row.cells.get(normalise(spec.column))
        if is_empty(raw):
            if spec.required:
                self.problem(row, row.sheet.name, spec.column,
                             "valeur obligatoire manquante", "required value missing")  # fmt: skip
            return []
        pieces: Iterable[CellValue]
        if spec.separator and isinstance(raw, str):
            pieces = [p for p in raw.split(spec.separator) if p.strip()]
        else:
            pieces = [raw]
        result: list[URIRef | Literal] = []
        for piece in pieces:
            try:
                obj = self.convert(row, spec, piece)
            except CellError as e:
                self.problem(row, row.sheet.name, spec.column, e.fr, e.en)
                continue
            result.append(obj)
            if spec.value_class is not None and isinstance(obj, URIRef):
                self.out.graph.add((obj, RDF.type, spec.value_class))
        return result

    def convert(self, row: _Row, spec: ValueMapping, value: CellValue) -> URIRef | Literal:
        text = cell_text(value)
        if spec.vocabulary:
            return self.concept(spec, text)
        if spec.territory:
            return territory_iri(spec.territory, text, base=self.base)
        if spec.link:
            return self.linked(row, spec, text)
        if spec.template:
            return self.templated(spec.template, spec.column or "", text)
        if spec.datatype == "iri":
            return parse_iri(text)
        return to_literal(value, spec.datatype, spec.lang)

    def concept(self, spec: ValueMapping, text: str) -> URIRef:
        assert spec.vocabulary is not None
        try:
            concept = self.vocabularies.find(spec.vocabulary, text)
        except LookupError as e:
            if str(e):
                raise CellError(
                    f"« {text} » est ambigu dans « {spec.vocabulary} » : {e}",
                    f'"{text}" is ambiguous in "{spec.vocabulary}": {e}',
                ) from e
            accepted = " ; ".join(self.vocabularies.accepted(spec.vocabulary))
            raise CellError(
                f"valeur inconnue « {text} » ; valeurs acceptées : {accepted}",
                f'unknown value "{text}"; accepted values: {accepted}',
            ) from e
        if spec.use == "class":
            if concept.category_class is None:
                raise CellError(f"« {text} » ne désigne pas de classe",
                                 f'"{text}" names no class')  # fmt: skip
            return concept.category_class
        return concept.iri

    def linked(self, row: _Row, spec: ValueMapping, text: str) -> URIRef:
        assert spec.link is not None
        target = self.mapping.table(spec.link[0])
        assert target is not None and target.key is not None
        node = spec.link[1] or target.nodes[0].name
        if target.name in self.read_tables:
            found = self.keys.get((target.name, node), {}).get(normalise(text), set())
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                shown = ", ".join(sorted(found))
                raise CellError(f"« {text} » désigne plusieurs lignes de « {target.sheet} » "
                                 f"({shown})", f'"{text}" names several rows of "{target.sheet}" '
                                 f"({shown})")  # fmt: skip
            raise CellError(
                f"aucune ligne de la feuille « {target.sheet} » n'a « {text} » en colonne "
                f"« {target.key} »",
                f'no row of sheet "{target.sheet}" has "{text}" in column "{target.key}"',
            )
        if spec.template is not None:
            return self.templated(spec.template, spec.column or "", text)
        template = next(n for n in target.nodes if n.name == node).iris[0]
        if {normalise(c) for c in template.columns} != {normalise(target.key)}:
            raise CellError(
                f"la feuille « {target.sheet} » n'est pas importée avec celle-ci",
                f'sheet "{target.sheet}" is not part of this import '
                "(give 'template' on the link to name rows of other imports)",
            )
        return self.templated(template, target.key, text)

    def templated(self, template: IriTemplate, column: str, text: str) -> URIRef:
        values = {normalise(c): text for c in template.columns} | {normalise(column): text}
        try:
            return template.render(values, base=self.base)
        except ValueError as e:
            raise CellError(f"impossible d'en faire une IRI ({e})",
                             f"cannot make an IRI of it ({e})") from e  # fmt: skip


def _one_column_names(template: IriTemplate, values: dict[str, str]) -> set[str]:
    """The names a row is found by through ``template`` when it reads one column: the cell as
    written and as the key it makes (none when it reads several columns or the cell is empty)."""
    if len(template.columns) != 1:
        return set()
    cell = values.get(normalise(template.columns[0]), "")
    if not cell:
        return set()
    fn = next(p[0] for p in template.parts if isinstance(p, tuple))
    try:
        return {normalise(cell), normalise(apply_key_function(fn, cell))}
    except ValueError:
        return {normalise(cell)}
