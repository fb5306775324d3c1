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

import logging
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sharedservices.arrangements.checking import category_keys, check_draft, plain
from sharedservices.arrangements.reading import read_drafts, read_header, read_sheet
from sharedservices.arrangements.schema import (
    KNOWN_COLUMNS,
    LONG_COLUMNS,
    LONG_ONLY_COLUMNS,
    LONG_SCHEMA,
    REQUIRED_COLUMNS,
    ROLES,
    SEVERITIES,
    WIDE_COLUMNS,
    Problem,
    Report,
    empty_long,
    load_categories,
    to_wide,
    typed,
)
from sharedservices.matching import NameRegister, build_register

log = logging.getLogger(__name__)


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
    started = time.perf_counter()
    shown = "uploaded file" if isinstance(source, bytes) else str(source)
    report = Report(shown, vintage, empty_long())
    sheet = read_sheet(source, report)
    if sheet is None:
        return report
    report.file_format = sheet.file_format
    columns = read_header(sheet, report)
    if columns is None:
        return report
    report.rows_read = len(sheet.records)
    drafts = read_drafts(sheet, columns, report)
    matcher = register.matcher(vintage)
    rows: list[list] = []  # one frame at the end: a frame per arrangement costs more than the checks
    for draft in drafts:
        checked = check_draft(draft, matcher, report)
        if checked:
            rows.extend(checked)
    if rows:
        report.long = LONG_SCHEMA.validate(typed(pd.DataFrame(rows, columns=LONG_COLUMNS)))
    if not report.rows_read:
        report.problems.append(Problem(None, None, "The table has column names but no rows of data.", "warning"))
    report.problems.sort(key=lambda p: p.row or 0)
    log.info(
        "read %s: %d rows, %d arrangements loaded on %s, %d problems in %.2f s",
        shown,
        report.rows_read,
        report.long["arrangement_id"].nunique(),
        vintage,
        len(report.problems),
        time.perf_counter() - started,
    )
    return report


def service_category(text: str, categories: pd.DataFrame | None = None) -> str | None:
    """The category id for an id or label in any case (``"Revenues & Benefits"``), else None."""
    return category_keys(load_categories() if categories is None else categories).get(plain(text))


__all__ = [
    "KNOWN_COLUMNS",
    "LONG_COLUMNS",
    "LONG_ONLY_COLUMNS",
    "LONG_SCHEMA",
    "REQUIRED_COLUMNS",
    "ROLES",
    "SEVERITIES",
    "WIDE_COLUMNS",
    "Problem",
    "Report",
    "load_categories",
    "read_arrangements",
    "service_category",
    "to_wide",
    "validate_file",
]
