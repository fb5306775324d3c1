"""Council types, upper tiers, regions and nations from ONS GSS codes.

A GSS code is nine characters: a letter for the nation, two digits for the kind of area and six
for the area itself (``E07000201`` is Forest Heath, a shire district). The kind decides the
council's type; the lookups in ``data/lookups`` give each English district its county and region
for a boundary vintage.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from sharedservices.errors import UnknownVintageError
from sharedservices.settings import DATA_DIR

GSS_CODE = re.compile(r"^[ENSWK]\d{8}$")

COUNCIL_TYPES = {
    "E06": "unitary",
    "E07": "district",
    "E08": "metropolitan borough",
    "E09": "london borough",
    "E10": "county",
    "W06": "welsh principal area",
    "S12": "scottish council area",
    "N09": "ni district",
}

NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}

#: Councils outside England take their nation as their region.
NATION_REGION_CODES = {"Wales": "W92000004", "Scotland": "S92000003", "Northern Ireland": "N92000002"}

VINTAGES = ("2013", "2023")
#: Planned vintages (``reorganisation.py``) and the date each shows: councils decided to exist then.
PLANNED_VINTAGES = {"2027": "2027-04-01", "2028": "2028-04-01"}


def is_gss_code(value: object) -> bool:
    """True when ``value`` is a nine-character GSS code such as ``E07000201``."""
    return isinstance(value, str) and bool(GSS_CODE.match(value))


def council_type(code: str) -> str | None:
    """The council type for a GSS code (``"district"`` for ``E07…``), or None if not a council."""
    return COUNCIL_TYPES.get(code[:3])


def nation(code: str) -> str | None:
    """The nation a GSS code belongs to (``"England"``, ``"Wales"``, ...), or None."""
    return NATIONS.get(code[:1])


@lru_cache(maxsize=None)
def english_lookup(vintage: str) -> pd.DataFrame:
    """District -> county and region lookup for English districts of a vintage.

    Returns a DataFrame indexed by ``lad_code`` with ``lad_name``, ``county_code``,
    ``county_name``, ``region_code`` and ``region_name`` (county empty for unitaries,
    metropolitan and London boroughs).
    """
    path = DATA_DIR / "lookups" / f"english_districts_{vintage}.csv"
    if not path.exists():
        raise UnknownVintageError(f"No district lookup for boundary vintage {vintage!r} (expected {path.name}).")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.set_index("lad_code")


def hierarchy_columns(codes: pd.Series, vintage: str) -> pd.DataFrame:
    """Type, upper tier, region and nation for district-level GSS codes of a vintage.

    Parameters
    ----------
    codes : pandas.Series of str
        Codes of districts, unitaries, boroughs, Welsh, Scottish and NI councils.
    vintage : str
        The boundary vintage whose English lookup applies (``"2013"`` or ``"2023"``).

    Returns
    -------
    pandas.DataFrame
        Same index as ``codes``; columns ``type``, ``upper_tier_code``, ``county_name``,
        ``region_code``, ``region_name``, ``nation``.  English codes missing from the lookup
        get an empty region, which the caller reports.
    """
    lookup = english_lookup(vintage)
    nations = codes.str[:1].map(NATIONS)
    in_england = nations == "England"
    county_code = codes.map(lookup["county_code"]).fillna("")
    return pd.DataFrame(
        {
            "type": codes.str[:3].map(COUNCIL_TYPES),
            "upper_tier_code": county_code.where(county_code != "", codes),
            "county_name": codes.map(lookup["county_name"]).fillna(""),
            "region_code": codes.map(lookup["region_code"]).where(in_england, nations.map(NATION_REGION_CODES)),
            "region_name": codes.map(lookup["region_name"]).where(in_england, nations),
            "nation": nations,
        },
        index=codes.index,
    )
