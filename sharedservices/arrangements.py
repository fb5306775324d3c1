"""The arrangements table: its schema, readers (CSV and XLSX, wide and long) and validation.

A file of arrangements comes in one of two layouts:

- wide: one row per arrangement, member councils in one ``councils`` cell separated by ``;``;
- long: one row per arrangement and council (``arrangement_id``, ``council``, optional ``role``),
  the arrangement's other columns filled on at least one of its rows.

Either way it becomes ONE canonical long table (one row per arrangement x member council, role
``"lead"`` or ``"member"``, councils as GSS codes of a boundary vintage) and a report of every
problem found, each with its spreadsheet row number (the header is row 1) and a message in plain
words. Reading never raises on bad content: an arrangement with an error is left out, the rest
load, and warnings and notes point at what deserves a second look.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process

from sharedservices import settings
from sharedservices.matching import Matcher, NameMatch, NameRegister, build_register

#: Columns of the wide layout, in order.
WIDE_COLUMNS = [
    "arrangement_id",
    "name",
    "services",
    "description",
    "councils",
    "lead_council",
    "start_year",
    "end_year",
    "status",
    "savings_gbp_per_year",
    "savings_note",
    "source_urls",
    "last_checked",
    "status_as_of",
    "savings_kind",
]
#: Columns every file must have (``councils`` in the wide layout, ``council`` in the long one).
REQUIRED_COLUMNS = ("arrangement_id", "name", "services", "status")
#: Columns only the long layout has.
LONG_ONLY_COLUMNS = ("council", "role")
STATUSES = ("proposed", "in discussion", "operational", "ended")
#: How a source states a savings figure.
SAVINGS_KINDS = ("yearly", "cumulative", "projected", "target")
ROLES = ("lead", "member")
SEVERITIES = ("error", "warning", "note")
#: Years outside this range are taken as typing mistakes.
YEAR_RANGE = (1900, 2100)

#: Other ways people head the columns.
_COLUMN_SYNONYMS = {
    "id": "arrangement_id",
    "arrangement": "arrangement_id",
    "service": "services",
    "members": "councils",
    "member_councils": "councils",
    "council_name": "council",
    "member": "council",
    "lead": "lead_council",
    "start": "start_year",
    "end": "end_year",
    "savings": "savings_gbp_per_year",
    "savings_gbp": "savings_gbp_per_year",
    "savings_per_year": "savings_gbp_per_year",
    "source": "source_urls",
    "sources": "source_urls",
    "source_url": "source_urls",
    "url": "source_urls",
    "urls": "source_urls",
}
_KNOWN_COLUMNS = set(WIDE_COLUMNS) | set(LONG_ONLY_COLUMNS)

#: The canonical long table: one row per arrangement x member council of one vintage.
LONG_SCHEMA = pa.DataFrameSchema(
    {
        "arrangement_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "code": pa.Column(str, pa.Check.str_matches(r"^[ENSWK]\d{8}$")),
        "role": pa.Column(str, pa.Check.isin(ROLES)),
        "council_as_written": pa.Column(str),
        "matched_by": pa.Column(str),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "services": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+(;[a-z_]+)*$")),
        "description": pa.Column(str),
        "start_year": pa.Column("Int64", pa.Check.in_range(*YEAR_RANGE), nullable=True),
        "end_year": pa.Column("Int64", pa.Check.in_range(*YEAR_RANGE), nullable=True),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "savings_gbp_per_year": pa.Column("Float64", pa.Check.ge(0), nullable=True),
        "savings_note": pa.Column(str),
        "source_urls": pa.Column(str),
        "last_checked": pa.Column(str),
        "status_as_of": pa.Column(str, pa.Check.str_matches(r"^(\d{4}(-\d{2})?)?$")),
        "savings_kind": pa.Column(str, pa.Check.isin(("", *SAVINGS_KINDS))),
        "row": pa.Column("Int64", pa.Check.ge(2)),
    },
    checks=[pa.Check(lambda t: ~(t["end_year"] < t["start_year"]).fillna(False), error="end year before start year")],
    unique=["arrangement_id", "code"],
    strict=True,
    ordered=True,
)
LONG_COLUMNS = list(LONG_SCHEMA.columns)
_ARRANGEMENT_FIELDS = [c for c in WIDE_COLUMNS if c not in ("councils", "lead_council")]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth checking in) a file of arrangements.

    ``row`` is the spreadsheet row (header = 1), None for the file as a whole; ``severity`` is
    ``"error"`` (the arrangement was left out), ``"warning"`` (loaded, but check it) or ``"note"``
    (loaded as intended; for information).
    """

    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def to_dict(self) -> dict:
        """Plain types for JSON."""
        return {"row": self.row, "column": self.column, "severity": self.severity, "message": self.message}


@dataclass
class Report:
    """The result of reading a file of arrangements: the valid data and every problem found.

    Attributes
    ----------
    long : pandas.DataFrame
        The canonical long table (``LONG_COLUMNS``): one row per arrangement x member council,
        ``code`` a GSS code of ``vintage``, ``role`` "lead" or "member", years as ``Int64``,
        savings in pounds per year as ``Float64``; empty text where a value was not given.
    problems : list of Problem
        In row order; the file as a whole first.
    """

    source: str
    vintage: str
    long: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    file_format: str | None = None
    layout: str | None = None
    rows_read: int = 0

    @property
    def arrangements(self) -> pd.DataFrame:
        """One row per loaded arrangement in the wide layout (``WIDE_COLUMNS``), councils as codes."""
        return to_wide(self.long)

    @property
    def errors(self) -> list[Problem]:
        """Problems that kept an arrangement (or the whole file) from loading."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing was left out."""
        return not self.errors

    def to_dict(self) -> dict:
        """A summary and every problem, in plain types for JSON."""
        counts = {s: sum(p.severity == s for p in self.problems) for s in SEVERITIES}
        return {
            "source": self.source,
            "vintage": self.vintage,
            "format": self.file_format,
            "layout": self.layout,
            "rows_read": self.rows_read,
            "arrangements_loaded": int(self.long["arrangement_id"].nunique()),
            "councils": int(self.long["code"].nunique()),
            "matched_by": {k: int(v) for k, v in self.long["matched_by"].value_counts().sort_index().items()},
            "errors": counts["error"],
            "warnings": counts["warning"],
            "notes": counts["note"],
            "problems": [p.to_dict() for p in self.problems],
        }


def validate_file(
    source: str | Path | bytes,
    councils_by_vintage: Mapping[str, pd.DataFrame],
    vintage: str,
    *,
    changes: pd.DataFrame | None = None,
    aliases: pd.DataFrame | None = None,
) -> Report:
    """Read and check a file of arrangements against the councils of a boundary vintage.

    Parameters
    ----------
    source : str, Path or bytes
        A CSV (UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252; comma, semicolon or tab separated)
        or XLSX file, as a path or its contents.
    councils_by_vintage : mapping of str to DataFrame
        Councils tables (``code``, ``name``) of every vintage, so that names of councils that
        exist only in another vintage are recognised too.
    vintage : str
        The vintage whose GSS codes the long table holds, e.g. ``"2023"``.
    changes, aliases : DataFrame, optional
        See :func:`sharedservices.matching.build_register`.

    Returns
    -------
    Report
    """
    register = build_register(councils_by_vintage, changes, aliases)
    return read_arrangements(source, register, vintage)


def read_arrangements(source: str | Path | bytes, register: NameRegister, vintage: str) -> Report:
    """Read and check a file of arrangements with a prepared name register (see :func:`validate_file`)."""
    shown = "uploaded file" if isinstance(source, bytes) else str(source)
    report = Report(shown, vintage, _empty_long())
    sheet = _read_sheet(source, report)
    if sheet is None:
        return report
    report.file_format = sheet.file_format
    columns = _read_header(sheet, report)
    if columns is None:
        return report
    report.rows_read = len(sheet.records)
    drafts = _drafts(sheet, columns, report)
    matcher = register.matcher(vintage)
    frames = []
    for draft in drafts:
        rows = _check_draft(draft, matcher, report)
        if rows:
            frames.append(pd.DataFrame(rows, columns=LONG_COLUMNS))
    if frames:
        report.long = LONG_SCHEMA.validate(_typed(pd.concat(frames, ignore_index=True)))
    if not report.rows_read:
        report.problems.append(Problem(None, None, "The table has column names but no rows of data.", "warning"))
    report.problems.sort(key=lambda p: p.row or 0)
    return report


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """The long table back in the wide layout, one row per arrangement, councils as GSS codes.

    ``councils`` lists every member (lead included) separated by ``;``; ``lead_council`` the
    lead's code(s). Written to CSV and read with the same vintage, it gives the same long table
    (an arrangement whose councils all merged into one is the exception: it needs two).
    """
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype=_wide_dtype(c)) for c in WIDE_COLUMNS})
    groups = long.groupby("arrangement_id", sort=False)
    wide = groups[_ARRANGEMENT_FIELDS].first()
    wide["councils"] = groups["code"].agg(";".join)
    wide["lead_council"] = (
        long.assign(lead=long["code"].where(long["role"] == "lead", ""))
        .groupby("arrangement_id", sort=False)["lead"]
        .agg(lambda s: ";".join(c for c in s if c))
    )
    return wide.reset_index(drop=True)[WIDE_COLUMNS]


@lru_cache(maxsize=4)
def load_categories(path: str | Path | None = None) -> pd.DataFrame:
    """The service categories (``category_id, label, description``)."""
    return pd.read_csv(path or settings.CATEGORIES_CSV, dtype=str, keep_default_na=False)


def service_category(text: str, categories: pd.DataFrame | None = None) -> str | None:
    """The category id for an id or label in any case (``"Revenues & Benefits"``), else None."""
    return _category_keys(load_categories() if categories is None else categories).get(_plain(text))


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


def _read_sheet(source: str | Path | bytes, report: Report) -> _Sheet | None:
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
        controls = sum(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text)
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
        scores[delimiter] = sum(_column_name(c) in _KNOWN_COLUMNS for c in cells)
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
        sheets = {_column_name(name): name for name in book.sheetnames}
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


def _column_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", text.strip().lstrip("\ufeff").lower()).strip("_")
    return _COLUMN_SYNONYMS.get(name, name)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_header(sheet: _Sheet, report: Report) -> dict[str, int] | None:
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
        name = _column_name(title)
        where = f"column {_letter(index)}"
        if name not in _KNOWN_COLUMNS:
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
class _Draft:
    arrangement_id: str
    row: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    council_column: str = "councils"
    councils: list[tuple[str, str, int]] = field(default_factory=list)  # (written, role, row)
    problems: list[Problem] = field(default_factory=list)


def _drafts(sheet: _Sheet, columns: dict[str, int], report: Report) -> list[_Draft]:
    width = len(sheet.header)
    drafts: dict[str, _Draft] = {}
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
            draft = drafts[key] = _Draft(key, number)
            draft.councils = [(name, "member", number) for name in _split_councils(values["councils"])]
        else:
            draft = drafts.setdefault(key, _Draft(key, number, council_column="council"))
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
                        f"Row {number}: {_label(name)} '{value}' differs "
                        f"from '{first}' on row {first_row} for the same arrangement; "
                        f"row {first_row}'s was kept.",
                        "warning",
                    )
                )
    return list(drafts.values())


def _split_councils(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n|]", cell) if part.strip()]


def _label(column: str) -> str:
    return {
        "savings_gbp_per_year": "savings per year",
        "source_urls": "source",
        "lead_council": "lead council",
        "arrangement_id": "arrangement id",
    }.get(column, column.replace("_", " "))


# --- checking one arrangement -----------------------------------------------------------------


def _check_draft(draft: _Draft, matcher: Matcher, report: Report) -> list[list] | None:
    """Rows of the long table for one arrangement, or None when it has an error (all reported)."""
    problems = draft.problems
    value = {name: text for name, (text, _) in draft.values.items()}

    def row_of(name: str) -> int:
        return draft.values.get(name, ("", draft.row))[1]

    def add(name: str | None, message: str, severity: str = "error", row: int | None = None) -> None:
        row = row or (row_of(name) if name else draft.row)
        problems.append(Problem(row, name, f"Row {row}: {message}", severity))

    if not value.get("name"):
        add("name", "the arrangement has no name.")
    services = _check_services(value.get("services", ""), add)
    status = _check_status(value.get("status", ""), add)
    start = _check_year(value.get("start_year", ""), "start_year", add)
    end = _check_year(value.get("end_year", ""), "end_year", add)
    if start is not None and end is not None and end < start:
        add("end_year", f"end year {end} is before start year {start}.")
    savings = _check_savings(value.get("savings_gbp_per_year", ""), add)
    urls = _check_sources(value.get("source_urls", ""), add)
    checked = _check_date(value.get("last_checked", ""), add)
    as_of = _check_as_of(value.get("status_as_of", ""), add)
    kind = _check_savings_kind(value.get("savings_kind", ""), add)
    members = _check_councils(draft, value.get("lead_council", ""), row_of("lead_council"), matcher, add)

    report.problems.extend(problems)
    if any(p.severity == "error" for p in problems):
        return None
    shared = [
        value.get("name", ""),
        services,
        value.get("description", ""),
        start,
        end,
        status,
        savings,
        value.get("savings_note", ""),
        urls,
        checked,
        as_of,
        kind,
    ]
    return [[draft.arrangement_id, code, role, written, how, *shared, row] for code, (role, written, how, row) in members.items()]


def _check_services(cell: str, add) -> str:
    categories = load_categories()
    keys = _category_keys(categories)
    found = []
    for part in (p.strip() for p in re.split(r"[;,\n]", cell)):
        if not part:
            continue
        category = keys.get(_plain(part))
        if category is None:
            add("services", f"'{part}' is not a service category this map knows; {_closest_category(part, categories)}")
        elif category not in found:
            found.append(category)
    if not cell.strip():
        add("services", "no service is given; name at least one service category.")
    return ";".join(found)


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("&", "and"))


@lru_cache(maxsize=4)
def _category_keys_cached(ids: tuple[str, ...], labels: tuple[str, ...]) -> dict[str, str]:
    keys = {_plain(label): category for category, label in zip(ids, labels)}
    keys.update({_plain(category): category for category in ids})
    return keys


def _category_keys(categories: pd.DataFrame) -> dict[str, str]:
    return _category_keys_cached(tuple(categories["category_id"]), tuple(categories["label"]))


def _closest_category(text: str, categories: pd.DataFrame) -> str:
    labels = list(categories["label"])
    best = process.extractOne(text, labels, scorer=fuzz.WRatio, processor=lambda s: s.lower())
    if best is None or best[1] < 50:
        return "the categories are listed in data/service_categories.csv."
    category = categories["category_id"].iloc[best[2]]
    return f"did you mean '{best[0]}' ({category})?"


def _check_status(cell: str, add) -> str:
    status = " ".join(re.sub(r"[_\-]", " ", cell.lower()).split())
    if status in STATUSES:
        return status
    if not status:
        add("status", f"no status is given; it should be one of: {', '.join(STATUSES)}.")
    else:
        best = process.extractOne(status, STATUSES, scorer=fuzz.WRatio)
        hint = f" Did you mean '{best[0]}'?" if best and best[1] >= 60 else ""
        add("status", f"the status '{cell}' should be one of: {', '.join(STATUSES)}.{hint}")
    return ""


def _check_year(cell: str, column: str, add) -> int | None:
    if not cell:
        return None
    label = _label(column)
    found = re.fullmatch(r"(\d{4})(?:\.0+)?(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?", cell)
    if not found:
        add(column, f"the {label} '{cell}' is not a year; write it as four digits, e.g. 2014.")
        return None
    year = int(found.group(1))
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        add(column, f"the {label} {year} is not a likely year.")
        return None
    return year


_MULTIPLIERS = {"": 1, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}


def _check_savings(cell: str, add) -> float | None:
    if not cell:
        return None
    text = cell.lower().replace(",", "").replace("£", "").replace("gbp", "").strip()
    found = re.fullmatch(r"(-?)\s*(\d+(?:\.\d+)?|\.\d+)\s*(k|m|bn|thousand|million|billion)?", text)
    if not found or not math.isfinite(amount := float(found.group(2)) * _MULTIPLIERS[found.group(3) or ""]):
        add(
            "savings_gbp_per_year",
            f"the savings per year '{cell}' is not an amount of pounds; write a number "
            "such as 120000 (or 1.2m) and put any words in savings_note.",
        )
        return None
    if found.group(1):
        add("savings_gbp_per_year", f"the savings per year '{cell}' is negative; savings cannot be below zero.")
        return None
    return amount


def _check_sources(cell: str, add) -> str:
    parts = [p for p in re.split(r"\s+|;(?=\s*(?:https?://|$))", cell) if p]
    for part in parts:
        if not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", part, flags=re.IGNORECASE):
            add("source_urls", f"the source '{part}' is not a full web address; it should start with https://.")
    if not parts:
        add("source_urls", "no source is given; add the web address of a page that states this arrangement.", "warning")
    return " ".join(parts)


#: Dates are read day first, as written in the UK.
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def _check_date(cell: str, add) -> str:
    if not cell:
        return ""
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, layout).date().isoformat()
        except ValueError:
            continue
    add("last_checked", f"the date last checked '{cell}' is not a date; write it like 2024-05-31. It was left empty.", "warning")
    return ""


def _check_as_of(cell: str, add) -> str:
    """The month (YYYY-MM) or year of the newest source that confirms the status, or ""."""
    cell = cell.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", cell)
    if not cell:
        return ""
    if match and YEAR_RANGE[0] <= int(match[1]) <= YEAR_RANGE[1] and (not match[2] or 1 <= int(match[2]) <= 12):
        return match[1] + (f"-{int(match[2]):02d}" if match[2] else "")
    add(
        "status_as_of",
        f"the status date '{cell}' should be a year or a month, like 2019 or 2019-06. It was left empty.",
        "warning",
    )
    return ""


def _check_savings_kind(cell: str, add) -> str:
    kind = cell.strip().lower()
    if kind in ("", *SAVINGS_KINDS):
        return kind
    add(
        "savings_kind",
        f"the kind of savings figure '{cell}' should be one of: {', '.join(SAVINGS_KINDS)}. It was left empty.",
        "warning",
    )
    return ""


def _check_councils(draft: _Draft, lead_cell: str, lead_row: int, matcher: Matcher, add) -> dict:
    """Code -> (role, written, how, row) for the members; problems reported through ``add``."""
    column = draft.council_column
    members: dict[str, tuple[str, str, str, int]] = {}
    originals: set[str] = set()
    failed = False

    def take(match: NameMatch, role: str, row: int, where: str) -> None:
        nonlocal failed
        if not match.ok:
            failed = True
            add(where, match.message, row=row)
            return
        if match.how in ("fuzzy", "changed"):
            add(where, match.message, "warning" if match.how == "fuzzy" else "note", row=row)
        originals.update(match.changed_from or match.codes)
        for code in match.codes:
            if role == "lead" or code not in members:
                members[code] = (role, match.input.strip(), match.how, row)

    written_names = set()
    for written, role, row in draft.councils:
        if not written:
            add(column, "the council name is empty.", row=row)
            failed = True
            continue
        for match in _match_cell(written, matcher, add, row, column):
            written_names.add(match.input.strip().casefold())
            take(match, role, row, column)
    if lead_cell:
        lead = matcher.match(lead_cell)
        if lead.ok and not set(lead.codes) <= set(members):
            add(
                "lead_council",
                f"the lead council '{lead_cell}' is not in the list of councils; it was added.",
                "warning",
                row=lead_row,
            )
        take(lead, "lead", lead_row, "lead_council")
    if len(written_names) < 2:
        add(column, f"an arrangement needs at least two councils; {'only one was' if written_names else 'none was'} given.")
    elif not failed and len(originals) < 2:
        add(
            column,
            f"the councils listed are all the same council ({_names(members, matcher)}); an arrangement needs at least two.",
        )
    elif not failed and len(members) == 1:
        add(
            column,
            f"on the {matcher.vintage} map all its councils are now one council, "
            f"{_names(members, matcher)}, so it shows no link.",
            "note",
        )
    return members


def _names(members: dict, matcher: Matcher) -> str:
    return ", ".join(f"{matcher.register.names.get(code, code)} ({code})" for code in members)


def _match_cell(written: str, matcher: Matcher, add, row: int, column: str) -> list[NameMatch]:
    """Match one written council; a failed name holding commas is tried as a list of names."""
    match = matcher.match(written)
    if match.ok or "," not in written:
        return [match]
    parts = [matcher.match(part) for part in written.split(",") if part.strip()]
    if len(parts) > 1 and all(p.ok for p in parts):
        add(
            column,
            f"councils should be separated by semicolons (;); '{written}' was read as {len(parts)} councils.",
            "warning",
            row=row,
        )
        return parts
    return [match]


def _typed(long: pd.DataFrame) -> pd.DataFrame:
    for column in ("start_year", "end_year", "row"):
        long[column] = pd.array(long[column], dtype="Int64")
    long["savings_gbp_per_year"] = pd.array(long["savings_gbp_per_year"], dtype="Float64")
    return long


def _empty_long() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_wide_dtype(c)) for c in LONG_COLUMNS})


def _wide_dtype(column: str) -> str:
    return {"start_year": "Int64", "end_year": "Int64", "row": "Int64", "savings_gbp_per_year": "Float64"}.get(column, "str")
