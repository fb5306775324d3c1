"""How complete the arrangements table is: the share of rows with a start year and a
last-confirmed date, recent changes, and counts by nation, region, service, council type,
status and start decade. Printed by ``python -m sharedservices data validate --json``."""

from __future__ import annotations

import pandas as pd

from sharedservices.workspace import Workspace

#: An arrangement started, ended or was last confirmed changing from this year on counts as recent.
RECENT_FROM = 2020


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
        "by_nation": by_member("nation"),
        "by_english_region": by_member("region_name", long["nation"] == "England"),
        "by_service": {str(k): int(v) for k, v in services[services != ""].value_counts().sort_index().items()},
        "by_council_type": by_member("type"),
        "by_status": {str(k): int(v) for k, v in rows["status"].value_counts().sort_index().items()},
        "by_start_decade": {str(k): int(v) for k, v in decades.value_counts().sort_index().items()},
    }
