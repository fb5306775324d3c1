"""Reading a file of arrangements into drafts: the bytes to rows of text (CSV in any usual encoding
and delimiter, or XLSX), the header to known columns, and the rows to one draft per arrangement,
in either layout. Nothing here judges a value; ``checking`` does."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sharedservices import settings
from sharedservices.arrangements.schema import (
    COLUMN_SYNONYMS,
    KNOWN_COLUMNS,
    REQUIRED_COLUMNS,
    ROLES,
    WIDE_COLUMNS,
    Problem,
    Report,
)

# --- reading the file into rows of text -------------------------------------------------------


@dataclass
class _Sheet:
    file_format: str
    records: list[tuple[int, list[str]]]
    header_row: int = 1
    header: list[str] = field(default_factory=list)


_NOT_TABLES = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"II*\x00", "an image (TIFF)"),
    (b"MM\x00*", "an image (TIFF)"),
    (b"RIFF", "a media file"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
]
_SAVE_AS = "Please save the table as CSV or as an Excel workbook (.xlsx)."


def read_sheet(source: str | Path | bytes, report: Report) -> _Sheet | None:
    def fail(message: str) -> None:
        report.problems.append(Problem(None, None, message))

    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            fail(f"The file could not be opened: {error.strerror or error}.")
            return None
    if not data.strip():
        fail("The file is empty.")
        return None
    for magic, kind in _NOT_TABLES:
        if data.startswith(magic):
            fail(f"This file is {kind}, not a table. {_SAVE_AS}")
            return None
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, fail)
    text = _decode(data)
    if text is None:
        fail(f"This file is not a table: it holds binary data rather than text. {_SAVE_AS}")
        return None
    return _read_csv(text, fail)


#: Control characters (Unicode category Cc) other than tab and line breaks: a text file has few.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif b"\x00" in data:
        return None
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_CONTROLS.findall(text))
        return text if controls <= len(text) / 100 else None
    return None


def _read_csv(text: str, fail) -> _Sheet | None:
    delimiter = _sniff_delimiter(text)
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            records.append((number, [c.strip() for c in cells]))
    except csv.Error as error:
        fail(f"Row {number + 1}: the file could not be read from this row on ({error}); check for a stray quotation mark.")
    return _Sheet("csv", records)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that makes the most known column names of the first line, else csv.Sniffer's."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    scores = {}
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        scores[delimiter] = sum(column_name(c) in KNOWN_COLUMNS for c in cells)
    best = max(scores, key=lambda delimiter: scores[delimiter])
    if scores[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _read_xlsx(data: bytes, fail) -> _Sheet | None:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > settings.MAX_UNZIPPED_BYTES:
            fail(f"This workbook would unpack to {unpacked / 1e6:.0f} MB, more than this map accepts.")
            return None
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = {column_name(name): name for name in book.sheetnames}
        sheet = book[sheets.get("arrangements", book.sheetnames[0])]
        records = [
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
        book.close()
    except Exception as error:  # openpyxl raises many kinds of error on damaged or foreign files
        fail(f"This file could not be opened as an Excel workbook ({type(error).__name__}). {_SAVE_AS}")
        return None
    return _Sheet("xlsx", records)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# --- header and layout ------------------------------------------------------------------------


def column_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", text.strip().lstrip("\ufeff").lower()).strip("_")
    return COLUMN_SYNONYMS.get(name, name)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_header(sheet: _Sheet, report: Report) -> dict[str, int] | None:
    """Column name -> position; None (with the reason reported) when no table can be read."""
    while sheet.records and not any(sheet.records[0][1]):
        sheet.records.pop(0)
    if not sheet.records:
        report.problems.append(Problem(None, None, "The file is empty."))
        return None
    sheet.header_row, sheet.header = sheet.records.pop(0)
    sheet.records = [(n, cells) for n, cells in sheet.records if any(cells)]
    row = sheet.header_row
    columns: dict[str, int] = {}
    notes = []
    for index, title in enumerate(sheet.header):
        if not title:
            continue
        name = column_name(title)
        where = f"column {_letter(index)}"
        if name not in KNOWN_COLUMNS:
            notes.append(
                Problem(
                    row, title, f"Row {row}: the column '{title}' ({where}) is not one this map uses; it was ignored.", "warning"
                )
            )
        elif name in columns:
            notes.append(Problem(row, name, f"Row {row}: the column '{title}' appears twice; {where} was ignored.", "warning"))
        else:
            columns[name] = index
    if not columns:
        report.problems.append(
            Problem(row, None, f"Row {row} should hold the column names ({', '.join(WIDE_COLUMNS)}), but none of them was found.")
        )
        return None
    report.problems.extend(notes)
    report.layout = "wide" if "councils" in columns else "long" if "council" in columns else None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for name in missing:
        report.problems.append(
            Problem(row, name, f"Row {row}: the table has no '{name}' column, so no arrangement could be loaded.")
        )
    if report.layout is None:
        report.problems.append(
            Problem(
                row,
                "councils",
                f"Row {row}: the table has neither a 'councils' column "
                "(all the councils of an arrangement in one cell) nor a 'council' column "
                "(one row per council), so no arrangement could be loaded.",
            )
        )
    return None if missing or report.layout is None else columns


# --- drafts: one per arrangement, from either layout ------------------------------------------


@dataclass
class Draft:
    arrangement_id: str
    row: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    council_column: str = "councils"
    councils: list[tuple[str, str, int]] = field(default_factory=list)  # (written, role, row)
    problems: list[Problem] = field(default_factory=list)


def read_drafts(sheet: _Sheet, columns: dict[str, int], report: Report) -> list[Draft]:
    width = len(sheet.header)
    drafts: dict[str, Draft] = {}
    for number, cells in sheet.records:
        if len(cells) > width and any(cells[width:]):
            report.problems.append(
                Problem(
                    number,
                    None,
                    f"Row {number} has more cells than there are column names; the extra cells were ignored.",
                    "warning",
                )
            )
        values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
        key = values["arrangement_id"]
        if not key:
            report.problems.append(
                Problem(number, "arrangement_id", f"Row {number}: there is no arrangement id, so this row was not loaded.")
            )
            continue
        draft = drafts.get(key)
        if report.layout == "wide":
            if draft is not None:
                report.problems.append(
                    Problem(
                        number,
                        "arrangement_id",
                        f"Row {number}: the arrangement id '{key}' is already used on row {draft.row}; this row was not loaded.",
                    )
                )
                continue
            draft = drafts[key] = Draft(key, number)
            draft.councils = [(name, "member", number) for name in split_councils(values["councils"])]
        else:
            draft = drafts.setdefault(key, Draft(key, number, council_column="council"))
            role = values.get("role", "").lower() or "member"
            if role not in ROLES:
                draft.problems.append(
                    Problem(number, "role", f"Row {number}: the role '{values['role']}' should be 'lead' or 'member'.")
                )
            draft.councils.append((values["council"], role, number))
        for name, value in values.items():
            if name in ("arrangement_id", "council", "councils", "role") or not value:
                continue
            if name not in draft.values:
                draft.values[name] = (value, number)
            elif draft.values[name][0] != value:
                first, first_row = draft.values[name]
                report.problems.append(
                    Problem(
                        number,
                        name,
                        f"Row {number}: {column_label(name)} '{value}' differs "
                        f"from '{first}' on row {first_row} for the same arrangement; "
                        f"row {first_row}'s was kept.",
                        "warning",
                    )
                )
    return list(drafts.values())


def split_councils(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n|]", cell) if part.strip()]


def column_label(column: str) -> str:
    return {
        "savings_gbp_per_year": "savings per year",
        "source_urls": "source",
        "lead_council": "lead council",
        "arrangement_id": "arrangement id",
    }.get(column, column.replace("_", " "))
