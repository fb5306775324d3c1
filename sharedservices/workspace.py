"""One session's data: a boundary vintage joined to a table of arrangements, with its links.

The app keeps one ``Workspace`` per session (the shipped table, or a user's upload), never
writing to shipped files; the command line builds one per run. Everything here is plain data,
so pages and tests reach it without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sharedservices import settings
from sharedservices.arrangements import Report, read_arrangements
from sharedservices.columns import is_in
from sharedservices.links import CouncilIndex, build_links, council_index, map_arcs
from sharedservices.matching import NameRegister, build_register
from sharedservices.vintages import Vintage, available_vintages, load_vintage

#: Arrangements with more members than this are drawn as spokes from a hub, not every pair.
HUB_ABOVE_MEMBERS = 4


@dataclass
class Workspace:
    """Arrangements joined to the councils of one boundary vintage.

    Attributes
    ----------
    boundaries : Vintage
        Districts and counties of the boundary year (WGS84).
    report : Report
        What reading the arrangements found (problems per row).
    arrangements : pandas.DataFrame
        One row per arrangement (wide layout, councils as codes of this vintage) plus
        ``council_names`` (members as named in this vintage, "; "-separated) and ``members``
        (number of member councils).
    long : pandas.DataFrame
        One row per arrangement x member council, with the council's type, upper tier, region.
    pair_links : pandas.DataFrame
        Every pair of members of every arrangement (``links.LINK_COLUMNS``): for counting, and
        drawn by the crossing and "not neighbours" filters.
    drawn_links : pandas.DataFrame
        The links drawn: pairs, or spokes from a hub for arrangements of many members.
        Both tables carry each link's curved line (``arc``, ``links.map_arcs``) and its number
        in the browser's link table (``link``: the drawn links first, then the pairs).
    """

    vintage: str
    boundaries: Vintage
    report: Report
    arrangements: pd.DataFrame
    long: pd.DataFrame
    pair_links: pd.DataFrame
    drawn_links: pd.DataFrame
    index: CouncilIndex

    @property
    def mapped_through_changes(self) -> int:
        """Members recorded under a council of another vintage and redrawn on this one's."""
        return int((self.long["matched_by"] == "changed").sum()) if "matched_by" in self.long else 0


def name_register(boundaries_by_vintage: dict[str, Vintage]) -> NameRegister:
    """The register of council names of every vintage, for matching names people write."""
    return build_register({v: boundaries.councils[["code", "name"]] for v, boundaries in boundaries_by_vintage.items()})


def load_workspace(
    vintage: str,
    source: str | Path | bytes | None = None,
    *,
    boundaries_by_vintage: dict[str, Vintage] | None = None,
    register: NameRegister | None = None,
) -> Workspace:
    """Read arrangements (the shipped table by default) and join them to a vintage's councils."""
    boundaries_by_vintage = boundaries_by_vintage or {v: load_vintage(v) for v in available_vintages()}
    register = register or name_register(boundaries_by_vintage)
    report = read_arrangements(settings.ARRANGEMENTS_CSV if source is None else source, register, vintage)
    return join(vintage, boundaries_by_vintage[vintage], report)


def join(vintage: str, boundaries: Vintage, report: Report, index: CouncilIndex | None = None) -> Workspace:
    """Join a read table of arrangements to a vintage's councils and build its links."""
    councils = boundaries.councils
    index = index or council_index(councils)
    info = councils.set_index("code")[["name", "type", "upper_tier_code", "region_name", "nation"]]
    long = report.long.join(info.rename(columns={"name": "council_name"}), on="code")
    arrangements = report.arrangements.copy()
    names = long.groupby("arrangement_id", sort=False)["council_name"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    arrangements["council_names"] = arrangements["arrangement_id"].map(names).fillna("")
    arrangements["members"] = (
        arrangements["arrangement_id"].map(long.groupby("arrangement_id")["code"].nunique()).fillna(0).astype(int)
    )
    links = build_links(long, index, mode="pairs")
    large = set(arrangements.loc[arrangements["members"] > HUB_ABOVE_MEMBERS, "arrangement_id"])
    hub_links = build_links(long[is_in(long["arrangement_id"], large)], index, mode="hub")
    drawn_links = pd.concat([links[~is_in(links["arrangement_id"], large)], hub_links], ignore_index=True)
    # Every link the map can draw has its line and its number in the browser's link table
    # (mapview.link_table): the drawn links first, then the pairs the crossing filters draw.
    drawn_links["arc"] = map_arcs(drawn_links) if len(drawn_links) else []
    links["arc"] = map_arcs(links) if len(links) else []
    drawn_links["link"] = range(len(drawn_links))
    links["link"] = range(len(drawn_links), len(drawn_links) + len(links))
    return Workspace(vintage, boundaries, report, arrangements, long, links, drawn_links, index)
