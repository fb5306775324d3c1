"""How complete the arrangements table is: the share of rows with a start year and a
last-confirmed date, recent changes, how long ago operational rows were last confirmed, and counts
by nation, region, service, council type, status and start decade. Printed by
``python -m sharedservices data validate --json``."""

from __future__ import annotations

import pandas as pd

from sharedservices.workspace import Workspace

#: An arrangement started, ended or was last confirmed changing from this year on counts as recent.
RECENT_FROM = 2020
#: Bands of the year an operational arrangement was last confirmed, newest first: (from year, label).
CONFIRMED_BANDS = ((RECENT_FROM, f"{RECENT_FROM} or later"), (2016, f"2016-{RECENT_FROM - 1}"), (0, "before 2016"))


def last_confirmed_bands(rows: pd.DataFrame) -> dict[str, int]:
    """Operational arrangements counted by the year of ``status_as_of`` (YYYY or YYYY-MM), in
    :data:`CONFIRMED_BANDS`, plus "not stated": an old confirmation is a row to re-read."""
    confirmed = rows.loc[rows["status"] == "operational", "status_as_of"].fillna("").astype(str)
    years = pd.to_numeric(confirmed.str[:4], errors="coerce")
    counts = {label: 0 for _, label in CONFIRMED_BANDS} | {"not stated": 0}
    for year in years:
        label = "not stated" if pd.isna(year) else next(label for start, label in CONFIRMED_BANDS if year >= start)
        counts[label] += 1
    return counts


def coverage(workspace: Workspace) -> dict:
    """The table's coverage figures (shares 0-1, counts of arrangements). An arrangement counts
    once under each nation, region, service and council type among its members."""
    rows = workspace.arrangements
    long = workspace.long
    start = rows["start_year"].astype("Float64")
    end = rows["end_year"].astype("Float64")
    recent = (start >= RECENT_FROM).fillna(False) | (end >= RECENT_FROM).fillna(False)

    def by_member(column: str, where: pd.Series | None = None) -> dict[str, int]:
        members = long if where is None else long[where]
        counts = members[["arrangement_id", column]].dropna().drop_duplicates()[column].value_counts()
        return {str(k): int(v) for k, v in counts.sort_index().items()}

    services = rows["services"].fillna("").str.split(";").explode()
    decades = (start // 10 * 10).astype("Int64").map(lambda year: "not stated" if pd.isna(year) else f"{year}s")
    return {
        "arrangements": int(len(rows)),
        "start_year_share": round(float(start.notna().mean()), 3),
        "status_as_of_share": round(float((rows["status_as_of"].fillna("") != "").mean()), 3),
        f"started_or_ended_since_{RECENT_FROM}": int(recent.sum()),
        "operational_by_last_confirmed": last_confirmed_bands(rows),
        "by_nation": by_member("nation"),
        "by_english_region": by_member("region_name", long["nation"] == "England"),
        "by_service": {str(k): int(v) for k, v in services[services != ""].value_counts().sort_index().items()},
        "by_council_type": by_member("type"),
        "by_status": {str(k): int(v) for k, v in rows["status"].value_counts().sort_index().items()},
        "by_start_decade": {str(k): int(v) for k, v in decades.value_counts().sort_index().items()},
    }
