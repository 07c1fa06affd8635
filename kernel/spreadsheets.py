"""Exports for spreadsheets, CSV and Excel workbooks, streamed at the speed of the database.

The query computes every value (choice labels, names, the guard against text read as a formula)
and PostgreSQL hands its rows over through a server-side cursor, so the web process holds one
block of rows at a time whatever the size of the organisation, and no model object or Python
per value:

- CSV: PostgreSQL writes each row's line itself (``csv_text``), exactly as Python's ``csv``
  module would write the same values, and the lines go to the server a block at a time. The
  ``csv`` module writing the rows the driver had turned into Python values took 3.2 times a
  ``COPY`` of 3 million check-ins (their conversion alone 1.7 times);
- Excel (``.xlsx``): PostgreSQL writes each row's XML itself (``sheet_rows``), and the workbook
  is a zip compressed and sent as it goes (``xlsx_stream``). A workbook library writing cell by
  cell in Python managed about 15,000 rows a second here (3.3 million check-ins: four minutes
  before the first byte, past any proxy's patience); this sends the first bytes at once and
  costs little more than the CSV. A sheet holds at most ``SHEET_ROWS`` rows (Excel's limit):
  more go on to a second sheet of the same name, numbered.

Text that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with a leading apostrophe in CSV, and with Excel's "quote
prefix" in a workbook (the text stays as it is and is never evaluated, not even once edited).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

from django.db import connection
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.expressions import Case, Combinable, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import In
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_BLOCK = 2000
SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header included
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a column of an export holds: how a CSV line and a workbook's cell write it.
Kind = Literal["text", "number", "date", "datetime"]


# --- Values computed by the query ---------------------------------------------------------


def as_text(expression: Combinable | str) -> Case:
    """Text for a CSV file: as it is, unless it would be read as a formula."""
    expression = F(expression) if isinstance(expression, str) else expression
    return Case(
        When(
            In(Left(expression, 1), FORMULA_STARTS),
            then=Concat(Value("'"), expression, output_field=CharField()),
        ),
        default=expression,
        output_field=CharField(),
    )


def label_of(field: str, choices: Any) -> Case:
    """A choice field's label, by SQL."""
    return Case(
        *(When(**{field: value}, then=Value(label)) for value, label in choices),
        default=F(field),
        output_field=CharField(),
    )


def _rows_as_text(
    rows: QuerySet[Any, Any],
    kinds: Sequence[Kind],
    cell: Callable[[str, Kind], str],
    *,
    start: str = "''",
    between: str = "''",
    end: str = "''",
) -> tuple[str, tuple[Any, ...]]:
    """The SQL of one text per row of a ``values_list`` query whose columns are of ``kinds``:
    its values each written by ``cell``, between ``start`` and ``end`` and separated by
    ``between`` (SQL expressions). PostgreSQL writes the row: no Python per value."""
    inner, params = rows.query.sql_with_params()
    columns = [f"c{i}" for i in range(len(kinds))]
    cells = f" || {between} || ".join(cell(c, k) for c, k in zip(columns, kinds, strict=True))
    return f"SELECT {start} || {cells} || {end} FROM ({inner}) AS r ({', '.join(columns)})", params


def _texts(sql: str, params: tuple[Any, ...]) -> Iterator[list[str]]:
    """The texts of a one-column query, in blocks of ``ROWS_PER_BLOCK``, through a
    server-side cursor: the web process holds one block whatever the number of rows."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(ROWS_PER_BLOCK):
            yield [text for (text,) in block]


def _attachment(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- CSV ----------------------------------------------------------------------------------

# What makes Python's ``csv`` module quote a value (``QUOTE_MINIMAL``): the delimiter, the quote
# character, or a character of its line ending.
_CSV_QUOTED = "E'[,\"\\r\\n]'"


def _csv_cell_sql(column: str, kind: Kind) -> str:
    """The SQL of one value of a CSV line, as Python's ``csv`` module writes the value the
    database driver gives: ``str`` of it (a number its digits: an integer or a decimal, never
    a float; a date-time in UTC as ``2026-06-09 17:00:00+00:00``), quoted only where needed,
    nothing for none (``tests/kernel/test_csv_lines.py`` holds the two to the same bytes)."""
    if kind == "text":
        text = f"{column}::text"
        return (
            f"CASE WHEN {column} IS NULL THEN '' WHEN {text} ~ {_CSV_QUOTED} "
            f"THEN '\"' || replace({text}, '\"', '\"\"') || '\"' ELSE {text} END"
        )
    if kind == "date":
        value = f"to_char({column}, 'YYYY-MM-DD')"
    elif kind == "datetime":
        utc = f"({column} AT TIME ZONE 'UTC')"
        value = (
            f"to_char({utc}, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
            f"'000000' THEN '' ELSE to_char({utc}, '.US') END || '+00:00'"
        )
    else:
        value = f"{column}::text"
    return f"COALESCE({value}, '')"


def csv_text(
    header: Sequence[str], kinds: Sequence[Kind], rows: QuerySet[Any, Any]
) -> Iterator[str]:
    """The CSV text of ``header`` and the rows of a ``values_list`` query whose columns are of
    ``kinds``: the header, then a block of lines at a time, each line written by PostgreSQL."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    yield buffer.getvalue()
    sql, params = _rows_as_text(rows, kinds, _csv_cell_sql, between="','", end="E'\\r\\n'")
    for block in _texts(sql, params):
        yield "".join(block)


def csv_response(
    filename: str, header: Sequence[str], kinds: Sequence[Kind], rows: QuerySet[Any, Any]
) -> StreamingHttpResponse:
    return _attachment(
        StreamingHttpResponse(csv_text(header, kinds, rows), content_type=CSV_TYPE), filename
    )


# --- Excel workbooks ----------------------------------------------------------------------

# The cell styles of ``_STYLES``, by their place in its ``cellXfs``.
_DATE, _QUOTED, _DATETIME, _HEADER = 1, 2, 3, 4
# Characters XML 1.0 refuses (PostgreSQL text holds no NUL); the product's validators keep them
# out, but rows written by other means must not make a workbook Excel refuses to open.
_NOT_XML = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")


@dataclass(frozen=True)
class Sheet:
    """A sheet of a workbook: its name, its header, and the query of its rows, whose columns
    are of ``kinds`` in order (``values_list`` without the CSV's apostrophe guard)."""

    name: str
    header: Sequence[str]
    kinds: Sequence[Kind]
    rows: QuerySet[Any, Any]


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_sql(column: str, kind: Kind) -> str:
    """The SQL of one cell's XML (``<c/>`` for no value: cells carry no reference, so each
    row has all of its cells, in order)."""
    if kind == "number":
        value = f"'<c><v>' || {column}::text || '</v></c>'"
    elif kind == "date":  # Excel's serial day: days since 30 December 1899
        value = f"'<c s=\"{_DATE}\"><v>' || ({column} - DATE '1899-12-30')::text || '</v></c>'"
    elif kind == "datetime":  # in UTC, said by the header
        serial = f"(EXTRACT(EPOCH FROM {column}) / 86400.0 + 25569)"
        value = f"'<c s=\"{_DATETIME}\"><v>' || {serial}::text || '</v></c>'"
    else:
        text = f"translate({column}::text, '{_NOT_XML}', '')"
        escaped = f"replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
        starts = ", ".join(f"'{c}'" for c in FORMULA_STARTS)
        style = (
            f"CASE WHEN left({column}::text, 1) IN ({starts}) THEN ' s=\"{_QUOTED}\"' ELSE '' END"
        )
        value = (
            f"'<c t=\"inlineStr\"' || {style} || "
            f"'><is><t xml:space=\"preserve\">' || {escaped} || '</t></is></c>'"
        )
        return f"CASE WHEN {column} IS NULL OR {column}::text = '' THEN '<c/>' ELSE {value} END"
    return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE {value} END"


def sheet_rows(sheet: Sheet) -> Iterator[list[str]]:
    """The sheet's rows as XML, in blocks, through a server-side cursor."""
    sql, params = _rows_as_text(sheet.rows, sheet.kinds, _cell_sql, start="'<row>'", end="'</row>'")
    return _texts(sql, params)


def _header_xml(header: Sequence[str]) -> str:
    cells = "".join(
        f'<c t="inlineStr" s="{_HEADER}"><is><t>{_xml_text(h)}</t></is></c>' for h in header
    )
    return f"<row>{cells}</row>"


_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _workbook_parts(names: list[str]) -> dict[str, str]:
    """The parts that list the sheets, written once every sheet is."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(names) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    sheets = "".join(
        f'<sheet name="{_xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, 1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )
    relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{relationship}/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    styles_id = len(names) + 1
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{links}<Relationship Id="rId{styles_id}" Type="{relationship}/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": _RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": _STYLES,
    }


class _Pipe:
    """What the zip writer writes, handed on as it comes (no ``tell``: the zip is written as
    a stream, each member's sizes after its data)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def xlsx_stream(sheets: Sequence[Sheet], *, sheet_rows_limit: int = SHEET_ROWS) -> Iterator[bytes]:
    """The workbook's bytes, compressed and handed on block by block."""
    pipe = _Pipe()
    names: list[str] = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for sheet in sheets:
            header = _header_xml(sheet.header)
            part: IO[bytes] | None = None
            rows = 0
            for block in _with_first(sheet_rows(sheet)):
                for row_xml in block:
                    if part is None or rows == sheet_rows_limit:
                        if part is not None:
                            part.write(_SHEET_END.encode())
                            part.close()
                        names.append(_numbered(sheet.name, names))
                        part = book.open(f"xl/worksheets/sheet{len(names)}.xml", "w")
                        part.write((_SHEET_START + header).encode())
                        rows = 1
                    if row_xml is not None:
                        part.write(row_xml.encode())
                        rows += 1
                yield pipe.take()
            assert part is not None
            part.write(_SHEET_END.encode())
            part.close()
        for name, text in _workbook_parts(names).items():
            book.writestr(name, text)
    yield pipe.take()


def _with_first(blocks: Iterator[list[str]]) -> Iterator[Sequence[str | None]]:
    """The blocks after a first one of a single ``None``: a sheet is opened, with its header,
    even when its query has no row."""
    yield [None]
    yield from blocks


def _numbered(name: str, taken: list[str]) -> str:
    """The sheet's name, or "Name (2)" and on once a sheet of its rows is full."""
    count = sum(1 for t in taken if t == name or t.startswith(f"{name} ("))
    return name if count == 0 else f"{name} ({count + 1})"


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(xlsx_stream(sheets), content_type=XLSX_TYPE)
    return _attachment(response, filename)
