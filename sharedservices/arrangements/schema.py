"""The arrangements table's shape: its columns, the canonical long table, and the report a read
gives (the data that loaded and every problem found, each by spreadsheet row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from sharedservices import settings
from sharedservices.domain import GSS_CODE, PLAUSIBLE_YEARS, SAVINGS_KINDS, STATUSES
from sharedservices.matching import NameMatch

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
ROLES = ("lead", "member")
SEVERITIES = ("error", "warning", "note")

#: Other ways people head the columns.
COLUMN_SYNONYMS = {
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
KNOWN_COLUMNS = set(WIDE_COLUMNS) | set(LONG_ONLY_COLUMNS)

#: The canonical long table: one row per arrangement x member council of one vintage.
LONG_SCHEMA = pa.DataFrameSchema(
    {
        "arrangement_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "code": pa.Column(str, pa.Check.str_matches(GSS_CODE.pattern)),
        "role": pa.Column(str, pa.Check.isin(ROLES)),
        "council_as_written": pa.Column(str),
        "matched_by": pa.Column(str),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "services": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+(;[a-z_]+)*$")),
        "description": pa.Column(str),
        "start_year": pa.Column("Int64", pa.Check.in_range(*PLAUSIBLE_YEARS), nullable=True),
        "end_year": pa.Column("Int64", pa.Check.in_range(*PLAUSIBLE_YEARS), nullable=True),
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
ARRANGEMENT_FIELDS = [c for c in WIDE_COLUMNS if c not in ("councils", "lead_council")]


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
    #: Council names that matched no council or several: (row, column, the match and its suggestions).
    unresolved: list[tuple[int, str, NameMatch]] = field(default_factory=list)
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


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """The long table back in the wide layout, one row per arrangement, councils as GSS codes.

    ``councils`` lists every member (lead included) separated by ``;``; ``lead_council`` the
    lead's code(s). Written to CSV and read with the same vintage, it gives the same long table
    (an arrangement whose councils all merged into one is the exception: it needs two).
    """
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype=wide_dtype(c)) for c in WIDE_COLUMNS})
    groups = long.groupby("arrangement_id", sort=False)
    wide = groups[ARRANGEMENT_FIELDS].first()
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


def typed(long: pd.DataFrame) -> pd.DataFrame:
    """The long table with its years and row numbers as ``Int64`` and savings as ``Float64``."""
    for column in ("start_year", "end_year", "row"):
        long[column] = pd.array(long[column], dtype="Int64")
    long["savings_gbp_per_year"] = pd.array(long["savings_gbp_per_year"], dtype="Float64")
    return long


def empty_long() -> pd.DataFrame:
    """A long table with no rows, its columns typed."""
    return pd.DataFrame({c: pd.Series(dtype=wide_dtype(c)) for c in LONG_COLUMNS})


def wide_dtype(column: str) -> str:
    """The dtype of a column of the long or wide table."""
    return {"start_year": "Int64", "end_year": "Int64", "row": "Int64", "savings_gbp_per_year": "Float64"}.get(column, "str")
