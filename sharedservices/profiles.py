"""A council's profile: who it works with, on what, since when, and leads for more.

Everything here is computed from a ``filters.Shown`` (the arrangements the filters select) and the
workspace's councils, so the profile follows the filters like every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd

from sharedservices import settings
from sharedservices.arrangements import load_categories
from sharedservices.columns import is_in, read_text_csv
from sharedservices.filters import Shown, arrangements_of, count_of
from sharedservices.matching import load_changes
from sharedservices.workspace import Workspace

#: The service id for "any other service" (data/service_categories.csv).
CATCH_ALL_SERVICE = "other"


@dataclass
class Partner:
    """A council that shares at least one shown arrangement with the profile's council."""

    code: str
    name: str
    arrangements: int
    services: list[str]
    outside_county: bool
    outside_region: bool


def partners_table(workspace: Workspace, shown: Shown, code: str) -> pd.DataFrame:
    """The council's partners: ``code``, ``name``, ``arrangements`` (how many shared),
    ``services`` (labels), ``outside_county``, ``outside_region``; most arrangements first."""
    labels = load_categories().set_index("category_id")["label"].to_dict()
    long = shown.long
    mine = long.loc[long["code"] == code, "arrangement_id"]
    others = long[is_in(long["arrangement_id"], mine) & (long["code"] != code)]
    councils = workspace.boundaries.councils.set_index("code")
    if code not in councils.index or others.empty:
        return pd.DataFrame(columns=["code", "name", "arrangements", "services", "outside_county", "outside_region"])
    own = councils.loc[code]
    services = shown.arrangements.set_index("arrangement_id")["services"]
    rows = []
    for partner, group in others.groupby("code"):
        shared = sorted(
            {
                labels.get(item, item)
                for cell in services.reindex(group["arrangement_id"]).fillna("")
                for item in str(cell).split(";")
                if item
            }
        )
        info = councils.loc[partner]
        rows.append(
            {
                "code": partner,
                "name": info["name"],
                "arrangements": group["arrangement_id"].nunique(),
                "services": shared,
                "outside_county": info["upper_tier_code"] != own["upper_tier_code"],
                "outside_region": info["region_name"] != own["region_name"],
            }
        )
    return pd.DataFrame(rows).sort_values(["arrangements", "name"], ascending=[False, True], ignore_index=True)


def timeline(shown: Shown, code: str, this_year: int | None = None) -> pd.DataFrame:
    """The council's arrangements as spans for a timeline: ``name``, ``status``, ``start``,
    ``end`` (this year for one still running or of unknown end), ``open_end`` (end not stated).
    Arrangements with no start year are left out; the page says how many."""
    this_year = this_year or date.today().year
    rows = arrangements_of(shown, code)
    rows = rows[rows["start_year"].notna()]
    end = rows["end_year"].astype("Float64")
    return pd.DataFrame(
        {
            "name": rows["name"].astype(str),
            "status": rows["status"].astype(str),
            "start": rows["start_year"].astype(int),
            "end": end.fillna(this_year).astype(int),
            "open_end": end.isna().to_numpy(),
        }
    ).sort_values("start", ignore_index=True)


def timeline_chart(spans: pd.DataFrame) -> alt.Chart:
    """The spans of :func:`timeline` as bars over the years, one named row per arrangement (the
    theme's crowded-label hiding turned off, so no bar loses its name)."""
    return (
        alt.Chart(spans)
        .mark_bar(height=14)
        .encode(
            x=alt.X("start:Q", title="Year", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False)),
            x2=alt.X2("end:Q"),
            y=alt.Y("name:N", title=None, sort=alt.SortField("start"), axis=alt.Axis(labelLimit=360, labelOverlap=False)),
            color=alt.Color("status:N", title="Status"),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("status:N"), alt.Tooltip("start:Q"), alt.Tooltip("end:Q")],
        )
        .properties(height=alt.Step(26))
    )


def partner_lines(partners: pd.DataFrame) -> list[str]:
    """One line per partner of :func:`partners_table` (in its order): how many arrangements, the
    services, and whether it is in another county or region."""
    lines = []
    for partner in partners.itertuples():
        flags = [flag for flag, on in (("other county", partner.outside_county), ("other region", partner.outside_region)) if on]
        shared = count_of(int(partner.arrangements), "arrangement")
        lines.append(f"{shared}: {', '.join(partner.services)}" + (f" · {', '.join(flags)}" if flags else ""))
    return lines


def services_by_partner(partners: pd.DataFrame) -> pd.DataFrame:
    """Each service the council shares and with whom: ``service``, ``partners`` (names, sorted)."""
    pairs = partners[["name", "services"]].explode("services").dropna()
    grouped = pairs.groupby("services")["name"].agg(lambda names: sorted(set(names)))
    return grouped.rename_axis("service").reset_index(name="partners")


def outside_shares(partners: pd.DataFrame) -> tuple[float, float]:
    """The share of partners (0-1) outside the council's county, and outside its region."""
    if partners.empty:
        return 0.0, 0.0
    return float(partners["outside_county"].mean()), float(partners["outside_region"].mean())


def shared_by_peers(shown: Shown, code: str, peers: list[str], *, top: int = 5) -> pd.DataFrame:
    """What councils like this one share that it does not: for each service the council takes part
    in no shown arrangement for, how many of ``peers`` (councils of its type, or its neighbours)
    share it, as ``service`` (id), ``peers_sharing``, ``share`` (0-1 of the peers) and ``examples``
    (up to three of those peers' codes); the ``top`` most shared, most first. Ties by service id.
    The catch-all ``other`` is never a lead: it names nothing a council could look for."""
    long = shown.long
    services = shown.arrangements.set_index("arrangement_id")["services"].fillna("")
    by_member = long[["arrangement_id", "code"]].assign(service=long["arrangement_id"].map(services).str.split(";"))
    by_member = by_member.explode("service")
    by_member = by_member[by_member["service"].astype(bool) & (by_member["service"] != CATCH_ALL_SERVICE)]
    own = set(by_member.loc[by_member["code"] == code, "service"])
    peers = [p for p in dict.fromkeys(peers) if p != code]
    if not peers:
        return pd.DataFrame(columns=["service", "peers_sharing", "share", "examples"])
    theirs = by_member[is_in(by_member["code"], peers) & ~is_in(by_member["service"], own)]
    counted = theirs.groupby("service")["code"].agg(lambda codes: sorted(set(codes)))
    table = pd.DataFrame(
        {
            "service": counted.index,
            "peers_sharing": counted.map(len).to_numpy(),
            "examples": counted.map(lambda codes: codes[:3]).to_numpy(),
        }
    )
    table["share"] = table["peers_sharing"] / len(peers)
    table = table.sort_values(["peers_sharing", "service"], ascending=[False, True], ignore_index=True)
    return table.head(top)[["service", "peers_sharing", "share", "examples"]]


def peers_of_type(workspace: Workspace, code: str) -> list[str]:
    """Councils of the same type as ``code`` on this boundary year (itself excluded)."""
    councils = workspace.boundaries.councils
    kind = councils.loc[councils["code"] == code, "type"]
    if kind.empty:
        return []
    return sorted(councils.loc[(councils["type"] == kind.iloc[0]) & (councils["code"] != code), "code"])


def lineage(code: str, changes: pd.DataFrame | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """The council's recorded predecessors and successors (``data/council_changes.csv``) as
    ``{"predecessors": [(code, name, date)], "successors": [...]}``."""
    changes = load_changes() if changes is None else changes
    before = changes[(changes["successor_code"] == code) & (changes["predecessor_code"] != code)]
    after = changes[(changes["predecessor_code"] == code) & (changes["successor_code"] != code)]
    return {
        "predecessors": list(zip(before["predecessor_code"], before["predecessor_name"], before["effective_date"])),
        "successors": list(zip(after["successor_code"], after["successor_name"], after["effective_date"])),
    }


def reorganisation_sentence(code: str, arrangements: pd.DataFrame, path: Path | None = None) -> str:
    """What the decided reorganisation does to a council and its arrangements, in one sentence
    ("" when no decided change includes it), e.g. "From 2028-04-01 part of West Norfolk (decided):
    2 of its 6 arrangements become internal, 1 is partly merged, 3 cross the new boundaries."
    ``arrangements`` are the council's, with the ``reorganisation`` column."""
    decided = reorganisation_of(code, path)
    decided = decided[is_in(decided["status"], ("decided", "order made", "in force"))]
    if decided.empty:
        return ""
    change = decided.iloc[0]
    names = " and ".join(decided["successor_name"]) if len(decided) > 1 else change["successor_name"]
    text = f"From {change['vesting_date']} part of {names} ({change['status']})"
    if "reorganisation" not in arrangements or arrangements.empty:
        return text + "."
    counts = arrangements["reorganisation"].value_counts()
    words = {
        "becomes internal": ("becomes internal", "become internal"),
        "partly merged": ("is partly merged", "are partly merged"),
        "crosses the new boundaries": ("crosses the new boundaries", "cross the new boundaries"),
        "unaffected": ("is unaffected", "are unaffected"),
    }
    parts = [f"{int(counts[o])} {words[o][int(counts[o]) != 1]}" for o in words if counts.get(o, 0)]
    return f"{text}: of its {len(arrangements)} arrangements, " + ", ".join(parts) + "."


def reorganisation_of(code: str, path: Path | None = None) -> pd.DataFrame:
    """The planned or proposed successor councils (``data/reorganisation.csv``) whose predecessors
    include ``code``: ``successor_name``, ``status``, ``vesting_date``, ``area``, ``sources``."""
    table = read_text_csv(path or settings.REORGANISATION_CSV)
    mine = table[table["predecessor_codes"].str.split(";").map(lambda codes: code in codes)]
    order = {"in force": 0, "order made": 1, "decided": 2, "consulted on": 3, "proposed": 4}
    return mine.assign(rank=mine["status"].map(order).fillna(9)).sort_values(["rank", "successor_name"])[
        ["successor_name", "status", "vesting_date", "area", "sources", "source_date"]
    ]
