"""Apply a view's filters to a workspace, and say in one line what is shown.

All the decisions about which arrangements, councils and links a view shows live here, so the
page only draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sharedservices.viewstate import YEAR_RANGE, ViewState
from sharedservices.workspace import Workspace

_CROSSING_COLUMN = {"county": "cross_county", "region": "cross_region", "nation": "cross_nation"}


@dataclass
class Shown:
    """What a view shows: arrangements (wide), their members (long) and the links drawn."""

    arrangements: pd.DataFrame
    long: pd.DataFrame
    links: pd.DataFrame
    map_links: pd.DataFrame

    @property
    def council_codes(self) -> list[str]:
        """Codes of every council taking part in a shown arrangement."""
        return sorted(self.long["code"].unique())


def apply(workspace: Workspace, view: ViewState) -> Shown:
    """The arrangements, members and links a view shows.

    An arrangement is shown when any member is in the chosen regions, counties and council
    types, it shares any chosen service, has a chosen status, was active at some time in the
    year range (years not stated count as active), states savings of at least the minimum, and
    its name, id or a member's name contains the search text. The crossing and "not
    neighbours" options keep only links that cross that line or join councils whose areas do
    not touch, and the arrangements that have such links.
    """
    arrangements = workspace.arrangements
    long = workspace.long
    keep = pd.Series(True, index=arrangements.index)
    ids = arrangements["arrangement_id"]

    def having(members: pd.Series) -> pd.Series:
        return ids.isin(long.loc[members, "arrangement_id"])

    if view.arrangement:
        keep &= ids == view.arrangement
    if view.regions:
        keep &= having(long["region_name"].isin(view.regions))
    if view.counties:
        keep &= having(long["upper_tier_code"].isin(view.counties) | long["code"].isin(view.counties))
    if view.types:
        keep &= having(long["type"].isin(view.types))
    if view.services:
        wanted = set(view.services)
        keep &= arrangements["services"].map(lambda cell: bool(wanted & set(str(cell).split(";"))))
    if view.statuses:
        keep &= arrangements["status"].isin(view.statuses)
    if (view.year_from, view.year_to) != YEAR_RANGE:
        start = arrangements["start_year"].astype("Float64").fillna(YEAR_RANGE[0])
        end = arrangements["end_year"].astype("Float64").fillna(YEAR_RANGE[1])
        keep &= ((start <= view.year_to) & (end >= view.year_from)).astype(bool)
    if view.min_savings:
        keep &= (arrangements["savings_gbp_per_year"].astype("Float64").fillna(-1) >= view.min_savings).astype(bool)
    if view.search.strip():
        text = view.search.strip().lower()
        in_name = arrangements["name"].str.lower().str.contains(text, regex=False)
        in_id = ids.str.lower().str.contains(text, regex=False)
        in_members = having(long["council_name"].str.lower().str.contains(text, regex=False))
        keep &= in_name | in_id | in_members

    links, map_links, long = workspace.links, workspace.map_links, workspace.long
    if not keep.all():
        chosen = ids[keep].to_numpy(dtype=object)
        links = links[links["arrangement_id"].isin(chosen)]
        map_links = map_links[map_links["arrangement_id"].isin(chosen)]
        long = long[long["arrangement_id"].isin(chosen)]
    if view.crossing or view.non_neighbours:
        links, map_links = _only(links, view), _only(map_links, view)
        chosen = links["arrangement_id"].unique()
        keep &= ids.isin(chosen)
        long = long[long["arrangement_id"].isin(chosen)]
    return Shown(arrangements[keep], long, links, map_links)


def _only(links: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    mask = pd.Series(True, index=links.index)
    if view.crossing:
        mask &= links[_CROSSING_COLUMN[view.crossing]].astype(bool)
    if view.non_neighbours:
        mask &= (links["adjacent"] == False).fillna(False).astype(bool)  # noqa: E712
    return links[mask]


def summary_line(shown: Shown) -> str:
    """One line that says what is shown, e.g. ``42 arrangements · 97 councils · 61 cross-county
    links · £23m a year stated savings``."""
    savings = shown.arrangements["savings_gbp_per_year"].astype("Float64").fillna(0).sum()
    parts = [
        count_of(len(shown.arrangements), "arrangement"),
        count_of(shown.long["code"].nunique(), "council"),
        count_of(int(shown.links["cross_county"].sum()), "cross-county link"),
        f"{money(float(savings))} a year stated savings",
    ]
    return " · ".join(parts)


def partners(shown: Shown, code: str) -> list[str]:
    """Codes of the councils that share a shown arrangement with ``code``."""
    mine = shown.long.loc[shown.long["code"] == code, "arrangement_id"]
    others = shown.long[shown.long["arrangement_id"].isin(mine) & (shown.long["code"] != code)]
    return sorted(others["code"].unique())


def arrangements_of(shown: Shown, code: str) -> pd.DataFrame:
    """The shown arrangements a council takes part in, newest first."""
    mine = set(shown.long.loc[shown.long["code"] == code, "arrangement_id"])
    rows = shown.arrangements[shown.arrangements["arrangement_id"].isin(mine)]
    return rows.sort_values("start_year", ascending=False, na_position="last")


EXPORT_COLUMNS = ["arrangement_id", "name", "services", "description", "council_names", "councils",
                  "lead_council", "start_year", "end_year", "status", "savings_gbp_per_year", "savings_note",
                  "source_urls", "last_checked"]


def rows_csv(shown: Shown) -> str:
    """The shown arrangements as CSV text with their sources (councils as names and as codes)."""
    table = shown.arrangements[EXPORT_COLUMNS].rename(columns={"councils": "council_codes", "council_names": "councils"})
    return table.to_csv(index=False)


def money(pounds: float) -> str:
    """Pounds for people: £23m, £450k, £900."""
    if pounds >= 1e6:
        return f"£{pounds / 1e6:,.1f}m".replace(".0m", "m")
    if pounds >= 1e3:
        return f"£{pounds / 1e3:,.0f}k"
    return f"£{pounds:,.0f}"


def count_of(number: int, noun: str) -> str:
    """``1 council``, ``3 councils``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
