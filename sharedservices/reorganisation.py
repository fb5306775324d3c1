"""Planned councils (``data/reorganisation.csv``) -> planned boundary vintages and outcomes.

The table has one row per successor council of a decided or proposed reorganisation: its
predecessors (GSS codes of the current vintage, ``BASE_VINTAGE``), the status of the decision and
the vesting date. A planned vintage (``"2027"``, ``"2028"``) is the base vintage with every
successor whose decision is taken (``BUILT_STATUSES``) and whose vesting date is on or before the
vintage's date dissolved from its predecessors' polygons. The base layer is already a clean
coverage simplified to the web budget, and a dissolve of a clean coverage leaves no gaps, no
overlaps and fewer vertices, so the planned layer keeps the same coverage rules with no second
simplification; its quality is measured again all the same. Options only proposed or consulted
on are reported, never built.

New councils carry a provisional identifier, ``X-`` followed by the row's ``successor_id``
(``X-east-surrey``), until the ONS issues a code, which the ``ons_code`` column then gives. A
county whose districts all go to new councils disappears; its successors take its role (each is
its own upper tier). The predecessor -> successor changes follow from the table
(:func:`planned_changes`), so arrangements read on the base vintage are redrawn on a planned one
(:func:`redraw_long`, :func:`planned_workspace`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from sharedservices import settings
from sharedservices.domain import BUILT_STATUSES, DECISION_STATUSES, OUTCOMES, PLANNED_VINTAGES, is_gss_code, listed_vintages
from sharedservices.errors import ReorganisationError, UnknownVintageError
from sharedservices.vintages import (
    COLUMNS,
    Vintage,
    dissolve_counties,
    layer_quality,
    load_vintage,
    read_cached,
    vintage_sources,
    web_geojson,
    write_cache,
)
from sharedservices.workspace import join, load_workspace

log = logging.getLogger(__name__)

#: The vintage whose councils the table names and whose polygons planned vintages dissolve.
BASE_VINTAGE = "2023"
#: Prefix of a provisional identifier for a new council without an ONS code.
PROVISIONAL_PREFIX = "X-"
REQUIRED_COLUMNS = (
    "successor_id",
    "successor_name",
    "predecessor_codes",
    "predecessor_names",
    "area",
    "status",
    "vesting_date",
    "splits",
    "sources",
    "source_date",
)

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOURCE_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Successor:
    """One planned council: its code (ONS or provisional), predecessors and decision."""

    successor_id: str
    code: str
    name: str
    area: str
    status: str
    vesting_date: str
    predecessors: tuple[str, ...]
    predecessor_names: tuple[str, ...]
    splits: str
    sources: tuple[str, ...]
    source_date: str

    def to_dict(self) -> dict:
        """Plain types for JSON."""
        return {
            "code": self.code,
            "successor_id": self.successor_id,
            "name": self.name,
            "area": self.area,
            "status": self.status,
            "vesting_date": self.vesting_date,
            "predecessors": [{"code": c, "name": n} for c, n in zip(self.predecessors, self.predecessor_names)],
            "approximation": self.splits,
            "sources": list(self.sources),
            "source_date": self.source_date,
        }


def read_table(path: str | Path | None = None) -> pd.DataFrame:
    """The reorganisation table as text (empty cells as ``""``); ``ons_code`` added if absent."""
    path = path or settings.REORGANISATION_CSV
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ReorganisationError(f"{path}: the reorganisation table has no column {', '.join(missing)}.")
    if "ons_code" not in table.columns:
        table["ons_code"] = ""
    return table.apply(lambda column: column.str.strip())


def check_table(table: pd.DataFrame, councils: pd.DataFrame) -> list[str]:
    """Everything wrong with a reorganisation table, one message per problem (empty when fine).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`read_table`.
    councils : pandas.DataFrame
        Councils of ``BASE_VINTAGE`` (``code``, ``name``, ``type``, ``upper_tier_code``).

    Checks: identifiers unique slugs; a known status; vesting dates ``YYYY-MM-DD`` (required once
    decided); at least one ``http(s)`` source and a source date per row; every predecessor a GSS
    code of the base vintage, named once per code; an ONS code, when given, a GSS code not already
    in use; among decided rows of each planned vintage, no council taken by two successors, and
    a county listed as a predecessor only when all its districts go to new councils.
    """
    problems: list[str] = []
    known = set(councils["code"])
    seen: set[str] = set()
    for number, row in enumerate(table.itertuples(index=False), start=2):
        where = f"row {number} ({row.successor_id or 'no id'})"
        if not _SLUG.match(row.successor_id):
            problems.append(f"{where}: successor_id must be lower-case words joined by hyphens.")
        if row.successor_id in seen:
            problems.append(f"{where}: successor_id {row.successor_id!r} is used by an earlier row.")
        seen.add(row.successor_id)
        if not row.successor_name:
            problems.append(f"{where}: successor_name is empty.")
        if row.status not in DECISION_STATUSES:
            problems.append(f"{where}: status {row.status!r} is not one of {', '.join(DECISION_STATUSES)}.")
        if row.vesting_date and not _valid_date(row.vesting_date):
            problems.append(f"{where}: vesting_date {row.vesting_date!r} is not a date written YYYY-MM-DD.")
        if row.status in BUILT_STATUSES and not row.vesting_date:
            problems.append(f"{where}: the decision is {row.status!r} but vesting_date is empty.")
        if not any(s.startswith(("http://", "https://")) for s in row.sources.split()):
            problems.append(f"{where}: the successor has no source (a web address in sources).")
        if not _SOURCE_DATE.match(row.source_date):
            problems.append(f"{where}: source_date {row.source_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD.")
        codes = _split(row.predecessor_codes)
        if not codes:
            problems.append(f"{where}: no predecessor codes.")
        for code in codes:
            if not is_gss_code(code):
                problems.append(f"{where}: predecessor {code!r} is not a GSS code.")
            elif code not in known:
                problems.append(f"{where}: predecessor {code} is not a council of the {BASE_VINTAGE} vintage.")
        if len(set(codes)) != len(codes):
            problems.append(f"{where}: a predecessor code is listed twice.")
        if len(_split(row.predecessor_names)) != len(codes):
            problems.append(f"{where}: {len(codes)} predecessor codes but {len(_split(row.predecessor_names))} names.")
        if row.ons_code and (not is_gss_code(row.ons_code) or row.ons_code in known):
            problems.append(f"{where}: ons_code {row.ons_code!r} is not a new GSS code.")
    if not problems:
        for vintage in PLANNED_VINTAGES:
            problems += _check_built(table, councils, vintage)
    return problems


def load_table(path: str | Path | None = None, councils: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check the table; raises :class:`ReorganisationError` listing every problem."""
    path = path or settings.REORGANISATION_CSV
    table = read_table(path)
    if councils is None:
        councils = _base().councils
    problems = check_table(table, councils)
    if problems:
        raise ReorganisationError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return table


def successors(table: pd.DataFrame, vintage: str) -> list[Successor]:
    """The successors built into a planned vintage: decided, vesting on or before its date."""
    as_of = _as_of(vintage)
    rows = table[table["status"].isin(BUILT_STATUSES) & (table["vesting_date"] != "") & (table["vesting_date"] <= as_of)]
    return [_successor(row) for row in rows.itertuples(index=False)]


def not_built(table: pd.DataFrame, vintage: str) -> list[dict]:
    """Rows left out of a planned vintage, each with why (not decided, or vesting later)."""
    built = {s.successor_id for s in successors(table, vintage)}
    out = []
    for row in table.itertuples(index=False):
        if row.successor_id in built:
            continue
        reason = ("vesting after " + _as_of(vintage)) if row.status in BUILT_STATUSES else f"only {row.status}"
        out.append(
            {
                "successor_id": row.successor_id,
                "name": row.successor_name,
                "area": row.area,
                "status": row.status,
                "vesting_date": row.vesting_date,
                "reason": reason,
            }
        )
    return out


def successor_map(table: pd.DataFrame, vintage: str) -> dict[str, tuple[str, ...]]:
    """Predecessor code -> codes of the new councils that take its area on a planned vintage.

    A district or unitary maps to one successor; a county to every successor taking part of it.
    Councils not in the map are unchanged.
    """
    found: dict[str, list[str]] = {}
    for successor in successors(table, vintage):
        for code in successor.predecessors:
            found.setdefault(code, []).append(successor.code)
    return {code: tuple(sorted(set(codes))) for code, codes in found.items()}


def planned_changes(table: pd.DataFrame, vintage: str) -> pd.DataFrame:
    """The council changes a planned vintage makes, in the layout of ``data/council_changes.csv``.

    ``kind`` is ``"planned merger"``; ``note`` gives the decision's status and the table's row.
    """
    rows = []
    for s in successors(table, vintage):
        for code, name in zip(s.predecessors, s.predecessor_names):
            rows.append(
                {
                    "predecessor_code": code,
                    "predecessor_name": name,
                    "successor_code": s.code,
                    "successor_name": s.name,
                    "effective_date": s.vesting_date,
                    "kind": "planned merger",
                    "note": f"{s.status}; data/reorganisation.csv row {s.successor_id}",
                }
            )
    return pd.DataFrame(
        rows,
        columns=["predecessor_code", "predecessor_name", "successor_code", "successor_name", "effective_date", "kind", "note"],
    )


# --- building planned vintages -------------------------------------------------------------------


def build_planned_vintage(vintage: str, base=None, table: pd.DataFrame | None = None):
    """Build a planned vintage by dissolving predecessors' polygons of the base vintage.

    Parameters
    ----------
    vintage : str
        A key of ``hierarchy.PLANNED_VINTAGES`` (``"2027"``, ``"2028"``).
    base : vintages.Vintage, optional
        The base vintage's layers (WGS84); by default the cached ``BASE_VINTAGE``.
    table : pandas.DataFrame, optional
        A checked reorganisation table; by default :func:`load_table`.

    Returns
    -------
    vintages.Vintage
        Districts (every lower- or single-tier council, new ones typed ``"unitary"`` with
        ``planned_status`` set) and counties (those keeping districts), WGS84 (EPSG:4326). ``info``
        says ``planned: True`` and lists each new council with its decision's status, the rows
        not built, the layer's size (bytes of compact GeoJSON) and quality.

    Raises
    ------
    ReorganisationError
        The table is wrong, or the planned layer breaks a coverage rule or the size budget.
    """
    started = time.perf_counter()
    base = base if base is not None else _base()
    table = table if table is not None else load_table(councils=base.councils)
    planned = successors(table, vintage)
    districts = base.districts.copy()
    districts["planned_status"] = ""
    taken = {code for s in planned for code in s.predecessors}
    kept = districts[~districts["code"].isin(taken)]
    rows, notes = [], []
    for s in planned:
        members = districts[districts["code"].isin(s.predecessors)]
        if members.empty:
            raise ReorganisationError(f"{s.successor_id}: none of its predecessors is a district-level council.")
        shape = shapely.coverage_union_all(members.geometry.values)
        if not shape.is_valid:
            shape = shapely.union_all(members.geometry.values)
        region = members.groupby(["region_code", "region_name"])["area_km2"].sum().idxmax()
        if members["region_code"].nunique() > 1:
            notes.append(f"{s.name} joins councils of several regions; placed in {region[1]}, its largest part.")
        point = shape.representative_point()
        rows.append(
            {
                "code": s.code,
                "name": s.name,
                "type": "unitary",
                "upper_tier_code": s.code,
                "county_name": "",
                "region_code": region[0],
                "region_name": region[1],
                "nation": "England",
                "lon": round(point.x, 5),
                "lat": round(point.y, 5),
                "area_km2": round(float(members["area_km2"].sum()), 2),
                "geometry": shape,
                "planned_status": s.status,
            }
        )
        if s.splits:
            notes.append(f"{s.name}: {s.splits}")
    new = gpd.GeoDataFrame(rows, columns=[*COLUMNS, "planned_status"], geometry="geometry", crs=settings.WEB_CRS)
    layer = gpd.GeoDataFrame(pd.concat([kept, new], ignore_index=True), crs=settings.WEB_CRS)
    layer = layer.sort_values("code", ignore_index=True)
    counties = dissolve_counties(layer)
    counties["planned_status"] = ""
    gone = sorted(set(base.counties["code"]) - set(counties["code"]))
    quality = layer_quality(layer)
    provisional = layer["code"].str.startswith(PROVISIONAL_PREFIX)
    size = len(web_geojson(layer))
    info = {
        "vintage": vintage,
        "label": f"{vintage} (planned: councils decided for {_as_of(vintage)}, built on {BASE_VINTAGE})",
        "planned": True,
        "as_of": _as_of(vintage),
        "base_vintage": BASE_VINTAGE,
        "councils": int(len(layer)),
        "counties": int(len(counties)),
        "by_type": {
            k: int(v) for k, v in layer["code"].str[:3].where(~provisional, "provisional").value_counts().sort_index().items()
        },
        **quality,
        "layer_bytes": size,
        "vertices": int(shapely.get_num_coordinates(layer.geometry.values).sum()),
        "new_councils": [s.to_dict() for s in planned],
        "abolished": sorted(taken - set(layer["code"])),
        "abolished_counties": gone,
        "not_built": not_built(table, vintage),
        "build_seconds": round(time.perf_counter() - started, 2),
        "sources": [str(settings.REORGANISATION_CSV.name), f"vintage {BASE_VINTAGE}"],
        "notes": notes,
    }
    broken = [k for k in ("invalid_geometries", "invalid_edges") if quality[k]]
    if broken or quality["overlaps_km2"] + quality["gaps_km2"] >= 0.01 or size > settings.LAYER_BUDGET_BYTES:
        raise ReorganisationError(
            f"The planned {vintage} layer breaks the coverage rules or the budget: "
            f"{quality}, {size} bytes (budget {settings.LAYER_BUDGET_BYTES})."
        )
    log.info("built planned vintage %s: %d councils in %.2f s", vintage, info["councils"], info["build_seconds"])
    return Vintage(vintage, layer, counties, info)


def load_boundaries(vintage: str, source: str | Path | None = None, *, rebuild: bool = False) -> Vintage:
    """Any vintage's layers: a planned one (``"2027"``, ``"2028"``) built here, any other by
    ``vintages.load_vintage``."""
    if vintage in PLANNED_VINTAGES:
        return load_planned_vintage(vintage, source, rebuild=rebuild)
    return load_vintage(vintage, source, rebuild=rebuild)


def load_planned_vintage(vintage: str, source: str | Path | None = None, *, rebuild: bool = False):
    """A planned vintage from the cache when the base layers and the table have not changed.

    The cache key is the base vintage's cache key, the table's bytes and this module's code;
    ``source`` is passed on to the base vintage.
    """
    _as_of(vintage)
    base = load_vintage(BASE_VINTAGE, source)
    digest = hashlib.sha256(
        json.dumps(
            [vintage, base.info.get("vintage"), base.info.get("layer_bytes"), base.info.get("vertices"), base.info.get("sources")]
        ).encode()
    )
    for path in (settings.REORGANISATION_CSV, Path(__file__)):
        digest.update(path.read_bytes())
    folder = settings.CACHE_DIR / "layers" / f"{vintage}-planned-{digest.hexdigest()[:16]}"
    if not rebuild and (folder / "info.json").exists():
        return read_cached(vintage, folder)
    built = build_planned_vintage(vintage, base)
    write_cache(built, folder)
    return built


# --- what happens to arrangements ----------------------------------------------------------------


def arrangement_outcomes(
    long: pd.DataFrame, changes: Mapping[str, Sequence[str]], areas: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """What a planned reorganisation does to each arrangement.

    Parameters
    ----------
    long : pandas.DataFrame
        ``arrangement_id`` and ``code`` (councils of the base vintage), one row per member.
    changes : mapping of str to sequence of str
        Predecessor code -> successor codes (:func:`successor_map`); other councils are unchanged.
    areas : mapping of str to str, optional
        Successor code -> reorganisation area (``"Surrey"``) for counting by area.

    Returns
    -------
    pandas.DataFrame
        One row per arrangement: ``outcome`` (one of ``OUTCOMES``), ``members`` (distinct
        councils before), ``councils_after`` (distinct councils after, ``;``-joined),
        ``new_councils`` (the new ones among them) and ``areas`` (their areas, ``;``-joined).

    Notes
    -----
    Taken in this order: ``becomes internal`` when every member lies in one new council;
    ``partly merged`` when two or more members go into the same new council and the
    arrangement still joins two or more councils; ``crosses the new boundaries`` when a member
    changes, none merge, and it runs between different councils at least one of which is new
    (or a member's area is divided among new councils); else ``unaffected``.
    """
    areas = areas or {}
    rows = []
    members_of: dict[str, list[str]] = {}
    for arrangement, code in zip(long["arrangement_id"], long["code"], strict=True):
        members_of.setdefault(arrangement, []).append(code)
    for arrangement, codes in members_of.items():
        members = list(dict.fromkeys(codes))
        after = {code: tuple(changes.get(code, (code,))) for code in members}
        result = sorted({c for new in after.values() for c in new})
        new = sorted({c for code, targets in after.items() if code in changes for c in targets})
        landing = Counter(c for targets in after.values() for c in targets)
        merged = any(landing[c] > 1 for c in new)
        if not new:
            outcome = "unaffected"
        elif len(result) == 1:
            outcome = "becomes internal"
        elif merged:
            outcome = "partly merged"
        else:
            outcome = "crosses the new boundaries"
        rows.append(
            {
                "arrangement_id": arrangement,
                "outcome": outcome,
                "members": len(members),
                "councils_after": ";".join(result),
                "new_councils": ";".join(new),
                "areas": ";".join(sorted({areas[c] for c in new if c in areas})),
            }
        )
    return pd.DataFrame(rows, columns=["arrangement_id", "outcome", "members", "councils_after", "new_councils", "areas"])


def outcome_counts(outcomes: pd.DataFrame) -> dict:
    """Arrangements per outcome, overall and per reorganisation area.

    An arrangement reaching new councils of two areas counts once in each; unaffected ones
    count only overall.
    """
    overall = {o: int((outcomes["outcome"] == o).sum()) for o in OUTCOMES}
    by_area: dict[str, dict[str, int]] = {}
    for outcome, cell in zip(outcomes["outcome"], outcomes["areas"]):
        for area in filter(None, cell.split(";")):
            counts = by_area.setdefault(area, {o: 0 for o in OUTCOMES if o != "unaffected"})
            counts[outcome] += 1
    return {"arrangements": int(len(outcomes)), "overall": overall, "by_area": dict(sorted(by_area.items()))}


def redraw_long(long: pd.DataFrame, changes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """A long arrangements table of the base vintage with members moved to their successors.

    A member becomes each council that takes its area; members landing in the same council
    become one row (a lead stays lead). ``matched_by`` is ``"changed"`` for moved rows.
    """
    moved = long.copy()
    moved["code"] = moved["code"].map(lambda c: list(changes.get(c, (c,))))
    was = long["code"].map(lambda c: c in changes)
    if "matched_by" in moved:
        moved.loc[was.to_numpy(), "matched_by"] = "changed"
    moved = moved.explode("code", ignore_index=True)
    if "role" in moved:
        moved = moved.sort_values("role", key=lambda r: r != "lead", kind="stable")
    return moved.drop_duplicates(["arrangement_id", "code"]).sort_index(ignore_index=True)


def planned_workspace(vintage: str, source: str | Path | bytes | None = None, base_workspace=None):
    """Arrangements (the shipped table by default) drawn on a planned vintage.

    Reads them on ``BASE_VINTAGE`` and moves members to their successors (:func:`redraw_long`);
    returns a ``workspace.Workspace`` whose ``boundaries.info`` says the vintage is planned.
    """
    base_workspace = base_workspace or load_workspace(BASE_VINTAGE, source)
    boundaries = load_planned_vintage(vintage)
    table = load_table(councils=base_workspace.boundaries.councils)
    report = replace(
        base_workspace.report, vintage=vintage, long=redraw_long(base_workspace.report.long, successor_map(table, vintage))
    )
    return join(vintage, boundaries, report)


def summary(vintage: str, long: pd.DataFrame, table: pd.DataFrame | None = None, boundaries=None) -> dict:
    """The new councils of a planned vintage and what happens to the arrangements (for the CLI)."""
    boundaries = boundaries or load_planned_vintage(vintage)
    table = table if table is not None else load_table()
    built = successors(table, vintage)
    outcomes = arrangement_outcomes(long, successor_map(table, vintage), {s.code: s.area for s in built})
    info = boundaries.info
    left = pd.DataFrame(not_built(table, vintage))
    pending = {c for cell in table.loc[~table["status"].isin(BUILT_STATUSES), "predecessor_codes"] for c in _split(cell)}
    return {
        "vintage": vintage,
        "planned": True,
        "as_of": info["as_of"],
        "base_vintage": info["base_vintage"],
        "new_councils": [{k: v for k, v in s.to_dict().items() if k != "sources"} for s in built],
        "abolished_counties": info["abolished_counties"],
        "not_built": {}
        if left.empty
        else {
            area: {k: int(v) for k, v in group["status"].value_counts().sort_index().items()}
            for area, group in left.groupby("area")
        },
        "layer": {
            k: info[k]
            for k in ("councils", "counties", "layer_bytes", "invalid_geometries", "invalid_edges", "overlaps_km2", "gaps_km2")
        },
        "outcomes": outcome_counts(outcomes),
        "arrangements_with_a_council_in_a_pending_option": int(long.loc[long["code"].isin(pending), "arrangement_id"].nunique()),
    }


# --- helpers -------------------------------------------------------------------------------------


def _as_of(vintage: str) -> str:
    if vintage not in PLANNED_VINTAGES:
        raise UnknownVintageError(f"{vintage!r} is not a planned vintage; planned: {', '.join(PLANNED_VINTAGES)}.")
    return PLANNED_VINTAGES[vintage]


def _base():
    return load_vintage(BASE_VINTAGE)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        pd.Timestamp(text)
    except ValueError:
        return False
    return True


def _successor(row) -> Successor:
    return Successor(
        successor_id=row.successor_id,
        code=row.ons_code or f"{PROVISIONAL_PREFIX}{row.successor_id}",
        name=row.successor_name,
        area=row.area,
        status=row.status,
        vesting_date=row.vesting_date,
        predecessors=tuple(_split(row.predecessor_codes)),
        predecessor_names=tuple(_split(row.predecessor_names)),
        splits=row.splits,
        sources=tuple(row.sources.split()),
        source_date=row.source_date,
    )


def _check_built(table: pd.DataFrame, councils: pd.DataFrame, vintage: str) -> list[str]:
    """Conflicts among the successors of one planned vintage."""
    problems = []
    owners: dict[str, list[str]] = {}
    for s in successors(table, vintage):
        for code in s.predecessors:
            owners.setdefault(code, []).append(s.successor_id)
    names = councils.set_index("code")["name"]
    types = councils.set_index("code")["type"]
    for code, ids in owners.items():
        if types.get(code) != "county" and len(ids) > 1:
            problems.append(
                f"{vintage}: {names[code]} ({code}) is taken whole by {len(ids)} successors "
                f"({', '.join(ids)}); a council goes to one successor (say how a split is approximated)."
            )
    districts = councils[councils["type"] == "district"]
    for code, ids in owners.items():
        if types.get(code) == "county":
            left = districts[(districts["upper_tier_code"] == code) & ~districts["code"].isin(owners)]
            if len(left):
                problems.append(
                    f"{vintage}: {names[code]} ({code}) is a predecessor of {', '.join(ids)}, but its "
                    f"districts {', '.join(left['name'])} go to no successor."
                )
    return problems


__all__ = [
    "BASE_VINTAGE",
    "PROVISIONAL_PREFIX",
    "Successor",
    "arrangement_outcomes",
    "build_planned_vintage",
    "check_table",
    "load_planned_vintage",
    "load_table",
    "not_built",
    "outcome_counts",
    "planned_changes",
    "planned_workspace",
    "read_table",
    "redraw_long",
    "successor_map",
    "successors",
    "summary",
]


#: What each outcome means, for legends and the arrangements page.
OUTCOME_MEANINGS = {
    "becomes internal": "every member becomes part of one new council",
    "partly merged": "some members merge; it continues between fewer councils",
    "crosses the new boundaries": "it will run between different councils, at least one of them new",
    "unaffected": "no member changes",
}


def outcomes_by_arrangement(long: pd.DataFrame, vintage: str = "2028", table: pd.DataFrame | None = None) -> pd.Series:
    """Arrangement id -> its outcome on a planned vintage (``OUTCOMES``), from a long table of
    the base vintage's councils (``Workspace.long`` on ``BASE_VINTAGE``)."""
    table = table if table is not None else read_table()
    built = successors(table, vintage)
    outcomes = arrangement_outcomes(long, successor_map(table, vintage), {s.code: s.area for s in built})
    return outcomes.set_index("arrangement_id")["outcome"]


def planned_note(vintage: str, table: pd.DataFrame | None = None) -> str:
    """One sentence for a planned vintage's map: how many new councils it draws in which areas,
    from when, on what decision, and that undecided areas are drawn as they are today."""
    table = table if table is not None else read_table()
    built = successors(table, vintage)
    by_date: dict[tuple[str, str], dict[str, int]] = {}
    for successor in built:
        areas = by_date.setdefault((successor.vesting_date, successor.status), {})
        areas[successor.area] = areas.get(successor.area, 0) + 1
    named = "; ".join(
        ", ".join(f"{area} ({count} new council{'s' if count != 1 else ''})" for area, count in areas.items())
        + f" from {vesting_date} ({status})"
        for (vesting_date, status), areas in by_date.items()
    )
    drawn = {successor.area for successor in built}
    decided = set(table.loc[table["status"].isin(BUILT_STATUSES), "area"])
    later = sorted(decided - drawn)
    pending = sorted(set(table.loc[~table["status"].isin(BUILT_STATUSES), "area"]) - decided)
    today = (f"areas decided for a later date ({', '.join(later)}) and " if later else "") + (
        f"areas with proposals not yet decided ({len(pending)}, e.g. {', '.join(pending[:3])})"
    )
    return f"Planned boundaries, not yet in force: {named}. The {today} are drawn as they are today."


def attribution(vintage: str) -> str:
    """The boundary credit for a vintage; a planned one adds where its new councils come from, and
    one built from other files (the command line's, or a user's upload) says so."""
    if vintage not in PLANNED_VINTAGES:
        if vintage not in listed_vintages():
            return f"Boundaries of {vintage} from files supplied by the user of this map, not checked by it."
        return vintage_sources(vintage)["attribution"]
    return (
        vintage_sources(BASE_VINTAGE)["attribution"]
        + " New councils drawn by joining their predecessors' areas, as data/reorganisation.csv records the decisions."
    )
