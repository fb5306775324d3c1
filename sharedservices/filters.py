"""Apply a view's filters to a workspace, and say in one line what is shown.

All the decisions about which arrangements, councils and links a view shows live here, so the
page only draws the result.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import pandas as pd

from sharedservices.columns import is_in
from sharedservices.viewstate import Filters
from sharedservices.workspace import Workspace

T = TypeVar("T")

_CROSSING_COLUMN = {"county": "cross_county", "region": "cross_region", "nation": "cross_nation"}


@dataclass(eq=False)
class Shown:
    """What a view shows: arrangements (wide), their members (long) and the links drawn.

    One Shown serves every session with the same filters (``ui.loaders.shown_for``): what is
    made from it is made once (its cached properties, :meth:`remember`), and nobody changes it.
    """

    arrangements: pd.DataFrame
    long: pd.DataFrame
    pair_links: pd.DataFrame
    drawn_links: pd.DataFrame
    _remembered: dict = field(default_factory=dict, init=False, repr=False)

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make()`` returns, made the first time ``key`` is asked for and kept with this view."""
        if key not in self._remembered:
            self._remembered[key] = make()
        return self._remembered[key]

    @cached_property
    def council_codes(self) -> list[str]:
        """Codes of every council taking part in a shown arrangement."""
        return sorted(self.long["code"].unique())

    @cached_property
    def drawn(self) -> pd.DataFrame:
        """The shown arrangements that have a line on the map."""
        return self.arrangements[is_in(self.arrangements["arrangement_id"], self.drawn_links["arrangement_id"])]

    @cached_property
    def undrawn(self) -> pd.DataFrame:
        """The shown arrangements with no line on this vintage's map (fewer than two of its councils)."""
        return self.arrangements[~is_in(self.arrangements["arrangement_id"], self.drawn_links["arrangement_id"])]


def apply(workspace: Workspace, view: Filters) -> Shown:
    """The arrangements, members and links a view shows.

    An arrangement is shown when any member is in the chosen regions, counties and council
    types, it shares any chosen service, has a chosen status (and a chosen outcome of the
    decided reorganisation, where the table carries one), was active at some time in the
    year range (years not stated count as active), states savings of at least the minimum, and
    its name, id or a member's name contains the search text. The crossing and "not
    neighbours" options keep only the pairs of councils that cross that line or whose areas do
    not touch, draw exactly those pairs (not spokes from a hub), and keep the arrangements that
    have such pairs.
    """
    arrangements = workspace.arrangements
    long = workspace.long
    keep = pd.Series(True, index=arrangements.index)
    ids = arrangements["arrangement_id"]

    def having(members: pd.Series) -> pd.Series:
        return is_in(ids, long.loc[members, "arrangement_id"])

    if view.arrangement:
        keep &= ids == view.arrangement
    if view.regions:
        keep &= having(is_in(long["region_name"], view.regions))
    if view.counties:
        keep &= having(is_in(long["upper_tier_code"], view.counties) | is_in(long["code"], view.counties))
    if view.types:
        keep &= having(is_in(long["type"], view.types))
    if view.services:
        wanted = set(view.services)
        keep &= arrangements["services"].map(lambda cell: bool(wanted & set(str(cell).split(";"))))
    if view.statuses:
        keep &= is_in(arrangements["status"], view.statuses)
    if view.reorganisation and "reorganisation" in arrangements:
        keep &= is_in(arrangements["reorganisation"], view.reorganisation)
    if view.year_to is not None:
        keep &= (arrangements["start_year"].astype("Float64").fillna(view.year_to) <= view.year_to).astype(bool)
    if view.year_from is not None:
        keep &= (arrangements["end_year"].astype("Float64").fillna(view.year_from) >= view.year_from).astype(bool)
    if view.min_savings:
        keep &= (arrangements["savings_gbp_per_year"].astype("Float64").fillna(-1) >= view.min_savings).astype(bool)
    if view.search.strip():
        text = view.search.strip().lower()
        in_name = arrangements["name"].str.lower().str.contains(text, regex=False)
        in_id = ids.str.lower().str.contains(text, regex=False)
        in_members = having(long["council_name"].str.lower().str.contains(text, regex=False))
        keep &= in_name | in_id | in_members

    links, drawn_links, long = workspace.pair_links, workspace.drawn_links, workspace.long
    if not keep.all():
        chosen = ids[keep].to_numpy(dtype=object)
        links = links[is_in(links["arrangement_id"], chosen)]
        drawn_links = drawn_links[is_in(drawn_links["arrangement_id"], chosen)]
        long = long[is_in(long["arrangement_id"], chosen)]
    if view.crossing or view.non_neighbours:
        links = _only(links, view)
        drawn_links = links
        chosen = links["arrangement_id"].unique()
        keep &= is_in(ids, chosen)
        long = long[is_in(long["arrangement_id"], chosen)]
    return Shown(arrangements[keep], long, links, drawn_links)


def _only(links: pd.DataFrame, view: Filters) -> pd.DataFrame:
    mask = pd.Series(True, index=links.index)
    if view.crossing:
        mask &= links[_CROSSING_COLUMN[view.crossing]].astype(bool)
    if view.non_neighbours:
        mask &= (links["adjacent"] == False).fillna(False).astype(bool)  # noqa: E712
    return links[mask]


def summary_line(shown: Shown) -> str:
    """One line that says what the map draws, e.g. ``42 arrangements on the map · 97 councils ·
    61 council pairs across county or unitary lines · £23m a year stated savings``.

    Only arrangements with a line on the map are counted; :func:`undrawn_sentence` says what
    else is shown and why it has no line.
    """
    return shown.remember("summary line", lambda: _summary_line(shown))


def _summary_line(shown: Shown) -> str:
    drawn = shown.drawn
    ids = set(drawn["arrangement_id"])
    pairs = shown.pair_links[is_in(shown.pair_links["arrangement_id"], ids)]
    councils = set(shown.drawn_links["code_a"].dropna()) | set(shown.drawn_links["code_b"].dropna())
    savings = drawn["savings_gbp_per_year"].astype("Float64").sum()
    parts = [
        count_of(len(drawn), "arrangement") + " on the map",
        count_of(len(councils), "council"),
        count_of(int(pairs["cross_county"].sum()), "council pair") + " across county or unitary lines",
        f"{money(float(savings))} a year stated savings" if savings > 0 else "no savings stated",
    ]
    return " · ".join(parts)


def undrawn_sentence(shown: Shown, vintage: str, other_vintages: tuple[str, ...]) -> str:
    """A plain sentence on the shown arrangements that have no line on the map, and why; "" if none.

    An arrangement has no line when fewer than two of its councils exist apart on this
    vintage's map: its members have since merged into one council (another vintage shows
    them), or only one member is recorded.
    """
    return shown.remember(
        ("undrawn sentence", vintage, other_vintages), lambda: _undrawn_sentence(shown, vintage, other_vintages)
    )


def _undrawn_sentence(shown: Shown, vintage: str, other_vintages: tuple[str, ...]) -> str:
    undrawn = shown.undrawn
    if undrawn.empty:
        return ""
    members = shown.long[is_in(shown.long["arrangement_id"], undrawn["arrangement_id"])]
    merged_ids = set(members.loc[members["matched_by"] == "changed", "arrangement_id"])
    merged = int(is_in(undrawn["arrangement_id"], merged_ids).sum())
    single = len(undrawn) - merged
    others = " or ".join(v for v in other_vintages if v != vintage)
    parts = []
    if merged:
        parts.append(
            f"{count_of(merged, 'arrangement')} {'is' if merged == 1 else 'are'} between councils that "
            f"have since merged into one{f' (switch to {others} to see them)' if others else ''}"
        )
    if single:
        parts.append(f"{count_of(single, 'arrangement')} {'has' if single == 1 else 'have'} only one council on this map")
    return "Not drawn: " + "; ".join(parts) + ". They are listed below the map and in the download."


def no_match_sentence(view: Filters, shown: Shown) -> str:
    """What to say when the search text matches nothing ("" when something matches)."""
    if view.search.strip() and shown.arrangements.empty:
        return f"Nothing matches “{view.search.strip()}”. Try part of a council's or an arrangement's name, or reset the filters."
    if shown.arrangements.empty:
        return "No arrangement matches these filters. Reset the filters to see them all."
    return ""


def places_of(shown: Shown, view: Filters) -> list[str]:
    """The councils a view is about, to highlight on a slide: the members of the shown
    arrangements that lie in the view's regions and counties (all members when neither is chosen)."""
    long = shown.long
    keep = pd.Series(True, index=long.index)
    if view.regions:
        keep &= is_in(long["region_name"], view.regions)
    if view.counties:
        keep &= is_in(long["upper_tier_code"], view.counties) | is_in(long["code"], view.counties)
    return sorted(long.loc[keep, "code"].unique())


def partners(shown: Shown, code: str) -> list[str]:
    """Codes of the councils that share a shown arrangement with ``code``."""
    mine = shown.long.loc[shown.long["code"] == code, "arrangement_id"]
    others = shown.long[is_in(shown.long["arrangement_id"], mine) & (shown.long["code"] != code)]
    return sorted(others["code"].unique())


def of_council(shown: Shown, code: str) -> Shown:
    """What ``shown`` holds, kept to the arrangements one council takes part in (made once per
    view and council)."""

    def made() -> Shown:
        ids = set(shown.long.loc[shown.long["code"] == code, "arrangement_id"])
        keep = lambda frame: frame[is_in(frame["arrangement_id"], ids)]  # noqa: E731
        return Shown(keep(shown.arrangements), keep(shown.long), keep(shown.pair_links), keep(shown.drawn_links))

    return shown.remember(("of_council", code), made)


def arrangements_of(shown: Shown, code: str) -> pd.DataFrame:
    """The shown arrangements a council takes part in, newest first."""
    mine = set(shown.long.loc[shown.long["code"] == code, "arrangement_id"])
    rows = shown.arrangements[is_in(shown.arrangements["arrangement_id"], mine)]
    return rows.sort_values("start_year", ascending=False, na_position="last")


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


def finder_options(workspace: Workspace) -> dict[str, str]:
    """What the finder offers, key -> label: every council on the map (``council:CODE``) and every
    arrangement (``arrangement:ID``), councils first, each in alphabetical order."""
    councils = workspace.boundaries.councils.sort_values("name")
    options = {
        f"council:{code}": f"{name} ({kind})" for code, name, kind in zip(councils["code"], councils["name"], councils["type"])
    }
    for arrangement_id, name in sorted(
        zip(workspace.arrangements["arrangement_id"], workspace.arrangements["name"]), key=lambda item: str(item[1]).lower()
    ):
        options[f"arrangement:{arrangement_id}"] = f"{name} (arrangement)"
    return options


def counterparts(code: str, codes_here: set[str], changes: pd.DataFrame) -> list[str]:
    """The councils of another vintage (``codes_here``) that a council's area became or came from,
    following ``data/council_changes.csv`` forwards and backwards (``matching.load_changes``)."""
    seen, frontier = {code}, [code]
    while frontier:
        current = frontier.pop()
        linked = set(changes.loc[changes["predecessor_code"] == current, "successor_code"]) | set(
            changes.loc[changes["successor_code"] == current, "predecessor_code"]
        )
        frontier.extend(linked - seen)
        seen |= linked
    return sorted((seen - {code}) & codes_here)
