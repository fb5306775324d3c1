"""Council types, upper tiers, regions and nations from ONS GSS codes.

A GSS code is nine characters: a letter for the nation, two digits for the kind of area and six
for the area itself (``E07000201`` is Forest Heath, a shire district). The kind decides the
council's type; the lookups in ``data/lookups`` give each English district its county and region
for a boundary vintage.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from sharedservices import settings
from sharedservices.domain import COUNCIL_TYPES, NATION_REGION_CODES, NATIONS
from sharedservices.errors import UnknownVintageError


def lookup_vintages() -> tuple[str, ...]:
    """The vintages that have an English district -> county and region lookup in ``data/lookups``."""
    return tuple(
        sorted(p.stem.removeprefix("english_districts_") for p in (settings.DATA_DIR / "lookups").glob("english_districts_*.csv"))
    )


@cache
def english_lookup(vintage: str) -> pd.DataFrame:
    """District -> county and region lookup for English districts of a vintage.

    Returns a DataFrame indexed by ``lad_code`` with ``lad_name``, ``county_code``,
    ``county_name``, ``region_code`` and ``region_name`` (county empty for unitaries,
    metropolitan and London boroughs).
    """
    path = settings.DATA_DIR / "lookups" / f"english_districts_{vintage}.csv"
    if not path.exists():
        raise UnknownVintageError(f"No district lookup for boundary vintage {vintage!r} (expected {path.name}).")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.set_index("lad_code")


def english_places(codes: pd.Series, vintage: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """County and region of English district-level codes, from what is known of each code.

    A code in ``vintage``'s lookup takes its row there; any other code takes its row in the newest
    lookup that has it (a code unchanged since a known vintage keeps its county and region); a
    code still unplaced follows ``data/council_changes.csv`` to the codes it came from or became,
    and takes their region (and county, for a district) when they all agree. A unitary that
    replaced a county has no county.

    Returns
    -------
    (pandas.DataFrame, list of str)
        Indexed like ``codes``: ``county_code``, ``county_name``, ``region_code``, ``region_name``
        (empty where unknown); and the codes that nothing places, which the caller reports.
    """
    columns = ["county_code", "county_name", "region_code", "region_name"]
    known = [
        english_lookup(v)
        for v in dict.fromkeys([*([vintage] if vintage in lookup_vintages() else []), *reversed(lookup_vintages())])
    ]
    everything = pd.concat(known)
    everything = everything[~everything.index.duplicated(keep="first")][columns]
    placed = everything.reindex(codes.values)
    placed.index = codes.index
    missing = placed["region_code"].isna() & codes.str.startswith("E")
    if missing.any():
        changes = pd.read_csv(settings.DATA_DIR / "council_changes.csv", dtype=str, keep_default_na=False)
        for position in placed.index[missing]:
            code = codes[position]
            related = set(changes.loc[changes["successor_code"] == code, "predecessor_code"]) | set(
                changes.loc[changes["predecessor_code"] == code, "successor_code"]
            )
            rows = everything.reindex(sorted(related)).dropna(subset=["region_code"])
            if rows.empty or rows["region_code"].nunique() != 1:
                continue
            row = rows.iloc[0].copy()
            if code[:3] != "E07" or rows["county_code"].nunique() != 1:
                row["county_code"] = row["county_name"] = ""
            placed.loc[position] = row
    unplaced = codes[placed["region_code"].isna() & codes.str.startswith("E")].tolist()
    return placed.fillna(""), unplaced


def hierarchy_columns(codes: pd.Series, vintage: str | None = None) -> pd.DataFrame:
    """Type, upper tier, region and nation for district-level GSS codes.

    Parameters
    ----------
    codes : pandas.Series of str
        Codes of districts, unitaries, boroughs, Welsh, Scottish and NI councils.
    vintage : str, optional
        The boundary vintage whose English lookup is preferred (see :func:`english_places`).

    Returns
    -------
    pandas.DataFrame
        Same index as ``codes``; columns ``type``, ``upper_tier_code``, ``county_name``,
        ``region_code``, ``region_name``, ``nation``.  English codes that nothing places get an
        empty region, which the caller reports.
    """
    places, _ = english_places(codes, vintage)
    nations = codes.str[:1].map(NATIONS)
    in_england = nations == "England"
    county_code = places["county_code"]
    region_code = places["region_code"].replace("", None)
    return pd.DataFrame(
        {
            "type": codes.str[:3].map(COUNCIL_TYPES),
            "upper_tier_code": county_code.where(county_code != "", codes),
            "county_name": places["county_name"],
            "region_code": region_code.where(in_england, nations.map(NATION_REGION_CODES)),
            "region_name": places["region_name"].replace("", None).where(in_england, nations),
            "nation": nations,
        },
        index=codes.index,
    )
