"""A session's own data: an arrangements table and a boundary file that a user uploads.

Both are read by the same library as the shipped data (``arrangements.read_arrangements``,
``vintages.build_vintage``) from bytes held in memory; nothing here writes a shipped file, and a
boundary file is unpacked only into a temporary folder that is removed once it is read. Names
that matched no council, or several, are listed with their suggestions; the councils a user
picks for them become extra aliases of the name register, so the table is simply read again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from sharedservices.arrangements import WIDE_COLUMNS, Report
from sharedservices.errors import BoundaryFileError
from sharedservices.exports import neutralise, table_csv
from sharedservices.matching import NameRegister, Suggestion, build_register, load_aliases, load_changes
from sharedservices.vintages import Vintage, build_vintage

log = logging.getLogger(__name__)

#: The boundary-year label of a session's uploaded boundary file.
UPLOAD_VINTAGE = "your file"
#: File types the page accepts.
TABLE_TYPES = ("csv", "xlsx", "tsv", "txt")
BOUNDARY_TYPES = ("zip", "gpkg", "geojson", "json", "topojson")

#: What each column of the arrangements table holds, for the template and the page.
COLUMN_HELP = {
    "arrangement_id": "A short id of your own, unique in the table (letters, digits, hyphens), e.g. mid-kent-audit.",
    "name": "The arrangement's name as people know it.",
    "services": "One or more services, separated by ';': ids or labels such as 'legal' or 'Revenues & benefits'.",
    "description": "A sentence or two in your own words: what is shared, and what changed.",
    "councils": "Every member council, separated by ';', as written anywhere (e.g. 'Cotswold District').",
    "lead_council": "The council that hosts or leads it, if there is one.",
    "start_year": "The year it began (four digits), if a source states it.",
    "end_year": "The year it ended, if it has.",
    "status": "proposed, in discussion, operational or ended.",
    "savings_gbp_per_year": "Pounds a year, only if a source states a figure (e.g. 250000 or £0.25m).",
    "savings_note": "Who stated the figure and what it covers.",
    "source_urls": "The web addresses of the sources, separated by spaces.",
    "last_checked": "The day the row was checked (YYYY-MM-DD).",
    "status_as_of": "The date of the newest source confirming the status (YYYY or YYYY-MM).",
    "savings_kind": "yearly, cumulative, projected or target.",
}
#: Two example rows for the template, in the wide layout.
EXAMPLE_ROWS = [
    {
        "arrangement_id": "example-shared-chief-executive",
        "name": "Example: two districts share a chief executive",
        "services": "shared_management",
        "description": "The two councils appointed one chief executive and a joint senior team.",
        "councils": "Babergh District Council; Mid Suffolk District Council",
        "lead_council": "",
        "start_year": "2011",
        "end_year": "",
        "status": "operational",
        "savings_gbp_per_year": "",
        "savings_note": "",
        "source_urls": "https://www.example.org/your-source",
        "last_checked": "2026-12-01",
        "status_as_of": "2026",
        "savings_kind": "",
    },
    {
        "arrangement_id": "example-building-control",
        "name": "Example: a building control partnership",
        "services": "Building control",
        "description": "One council runs building control for both; the other pays a share of the cost.",
        "councils": "Cotswold District; Forest of Dean District",
        "lead_council": "Cotswold District",
        "start_year": "2015",
        "end_year": "2020",
        "status": "ended",
        "savings_gbp_per_year": "£0.1m",
        "savings_note": "Stated by the councils' joint committee report",
        "source_urls": "https://www.example.org/another-source",
        "last_checked": "2026-12-01",
        "status_as_of": "2020-03",
        "savings_kind": "projected",
    },
]


def digest(data: bytes) -> str:
    """A short content hash: the key an upload is cached under."""
    return hashlib.sha256(data).hexdigest()[:20] if data else ""


@dataclass(frozen=True)
class SessionData:
    """What one session uploaded: an arrangements table, a boundary file, or both, and the
    councils its user picked for names that did not resolve (``written name -> GSS code``)."""

    table_name: str = ""
    table: bytes = b""
    boundaries_name: str = ""
    boundaries: bytes = b""
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """The cache key: the contents' hashes and the choices (never the bytes themselves)."""
        return digest(self.table), digest(self.boundaries), self.choices

    @property
    def empty(self) -> bool:
        """True when nothing is uploaded."""
        return not self.table and not self.boundaries

    def with_choice(self, written: str, code: str | None) -> SessionData:
        """A copy with ``written`` resolved to ``code`` (or the choice removed when ``code`` is None)."""
        kept = dict(self.choices)
        kept.pop(written, None)
        if code:
            kept[written] = code
        return SessionData(self.table_name, self.table, self.boundaries_name, self.boundaries, tuple(sorted(kept.items())))


@dataclass(frozen=True)
class Unresolved:
    """A council name, as written, that matched no council or several; rows are spreadsheet rows."""

    written: str
    rows: tuple[int, ...]
    ambiguous: bool
    message: str
    suggestions: tuple[Suggestion, ...]


def unresolved_names(report: Report) -> list[Unresolved]:
    """Each distinct name the report could not resolve, with every row it is on, in row order."""
    by_name: dict[str, list] = {}
    for row, _column, match in report.unresolved:
        by_name.setdefault(match.input.strip(), []).append((row, match))
    return [
        Unresolved(
            written=written,
            rows=tuple(sorted({row for row, _ in found})),
            ambiguous=found[0][1].how == "ambiguous",
            message=found[0][1].message,
            suggestions=found[0][1].suggestions,
        )
        for written, found in by_name.items()
    ]


def register_with_choices(councils_by_vintage: Mapping[str, pd.DataFrame], choices: Mapping[str, str]) -> NameRegister:
    """The name register of these councils, with each chosen ``written name -> GSS code`` added as
    an alias, so that reading the table again resolves those names."""
    aliases = load_aliases()
    if choices:
        chosen = pd.DataFrame({"alias": list(choices), "code": list(choices.values())})
        aliases = pd.concat([aliases, chosen], ignore_index=True)
    return build_register(councils_by_vintage, load_changes(), aliases)


def read_boundaries(data: bytes, filename: str, label: str = UPLOAD_VINTAGE) -> Vintage:
    """Build a vintage from an uploaded boundary file (zipped shapefile, GeoPackage, GeoJSON or
    TopoJSON), unpacked into a temporary folder removed afterwards. A file too detailed for the
    web is simplified to the layer budget; ``info["notes"]`` says so, with the seconds it took."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in BOUNDARY_TYPES:
        raise BoundaryFileError(
            f"{_shown(filename)}: this is not a boundary file the map can read. Upload a zipped shapefile "
            "(.zip with .shp, .shx, .dbf and .prj), a GeoPackage, GeoJSON or TopoJSON file."
        )
    if not data.strip():
        raise BoundaryFileError(f"{_shown(filename)}: the file is empty.")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(_shown(filename)).stem).strip("-") or "boundaries"
        path = Path(folder) / f"{stem[:60]}.{suffix}"  # messages then name the user's file
        path.write_bytes(data)
        built = build_vintage(label, [path])
    seconds = time.perf_counter() - started
    info = built.info
    info["sources"] = [_shown(filename)]
    info["label"] = f"your file ({_shown(filename)})"
    if info.get("source_vertices", 0) > 3 * info.get("vertices", 1):
        info["notes"].append(
            f"The file has {info['source_vertices']:,} points; it was simplified to {info['vertices']:,} "
            f"(about {info['simplify_tolerance_m']:.0f} m) to draw quickly, in {seconds:.1f} s."
        )
    log.info("read uploaded boundaries %s: %d councils in %.1f s", _shown(filename), info["councils"], seconds)
    return built


def corrected_table(report: Report, council_names: Mapping[str, str]) -> pd.DataFrame:
    """The arrangements that loaded, in the wide layout, councils by their official names: a table
    that reads back without a problem."""
    wide = report.arrangements.copy()
    for column in ("councils", "lead_council"):
        wide[column] = wide[column].map(
            lambda cell: "; ".join(council_names.get(code, code) for code in str(cell).split(";") if code)
        )
    return wide[WIDE_COLUMNS].astype("string").fillna("")


def template_csv() -> bytes:
    """The template: the columns and two example rows, as CSV."""
    return table_csv(pd.DataFrame(EXAMPLE_ROWS, columns=WIDE_COLUMNS))


def template_xlsx() -> bytes:
    """The template as a workbook: sheet "arrangements" (columns and two example rows) and sheet
    "columns" (what each column holds)."""
    return table_xlsx(pd.DataFrame(EXAMPLE_ROWS, columns=WIDE_COLUMNS), explained=True)


def table_xlsx(table: pd.DataFrame, *, explained: bool = False) -> bytes:
    """A wide arrangements table as a workbook (sheet "arrangements", which the reader takes), every
    cell written as text, never as a formula or a link; ``explained`` adds the sheet "columns"."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}) as book:
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("arrangements")
        for column, name in enumerate(table.columns):
            sheet.write_string(0, column, str(name), bold)
            for row, value in enumerate(table[name].astype("string").fillna(""), start=1):
                sheet.write_string(row, column, str(neutralise(value)))
            sheet.set_column(column, column, 22)
        if explained:
            notes = book.add_worksheet("columns")
            notes.write_string(0, 0, "column", bold)
            notes.write_string(0, 1, "what it holds", bold)
            for row, (name, text) in enumerate(COLUMN_HELP.items(), start=1):
                notes.write_string(row, 0, name)
                notes.write_string(row, 1, text)
            notes.set_column(0, 0, 24)
            notes.set_column(1, 1, 100)
    return buffer.getvalue()


def _shown(filename: str) -> str:
    """A file's name as shown to the user: its last part, without control characters, at most 80."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", Path(str(filename).replace("\\", "/")).name)
    return name[:80] or "the file"
