"""The facts of the domain, each defined here once and imported wherever it is needed.

Council codes and types, the statuses an arrangement can have, the outcomes of reorganisation,
the boundary vintages ``geodata/sources.toml`` lists (and which one is the default), and the
bounds of the years the map offers, taken from the data and today's date rather than written in.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from datetime import date

import pandas as pd

from sharedservices import settings

#: A council's ONS GSS code: the nation's letter, two digits for the kind of area, six for the area.
GSS_CODE = re.compile(r"^[ENSWK]\d{8}$")

#: Council type by the first three characters of its GSS code.
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
#: The codes of councils that deliver district services (every council but the English counties).
DISTRICT_LEVEL_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")

NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
#: Councils outside England take their nation as their region.
NATION_REGION_CODES = {"Wales": "W92000004", "Scotland": "S92000003", "Northern Ireland": "N92000002"}

#: An arrangement's status, in the order of its life.
STATUSES = ("proposed", "in discussion", "operational", "ended")
#: How a source states a savings figure.
SAVINGS_KINDS = ("yearly", "cumulative", "projected", "target")
#: The lines a link between two councils can cross.
CROSSINGS = ("county", "region", "nation")

#: Where a reorganisation decision stands, in order.
DECISION_STATUSES = ("proposed", "consulted on", "decided", "order made", "in force")
#: Decisions taken far enough to build into a planned vintage.
BUILT_STATUSES = ("decided", "order made", "in force")
#: What the decided reorganisation does to an arrangement.
OUTCOMES = ("becomes internal", "partly merged", "crosses the new boundaries", "unaffected")
#: Planned vintages and the date each shows: the councils decided to exist then.
PLANNED_VINTAGES = {"2027": "2027-04-01", "2028": "2028-04-01"}

#: Years outside this range in a table are taken as typing mistakes.
PLAUSIBLE_YEARS = (1900, 2100)


def is_gss_code(value: object) -> bool:
    """True when ``value`` is a nine-character GSS code such as ``E07000201``."""
    return isinstance(value, str) and bool(GSS_CODE.match(value))


def sources_toml() -> dict:
    """``geodata/sources.toml`` as parsed; read again only when the file changes (callers must
    not change what it returns)."""
    path = settings.SOURCES_TOML
    return _parsed_toml(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _parsed_toml(path: str, _mtime_ns: int) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def listed_vintages() -> tuple[str, ...]:
    """The boundary vintages ``geodata/sources.toml`` lists, in its order (read again when it changes)."""
    return tuple(sources_toml()["vintages"])


def built_in_vintages() -> tuple[str, ...]:
    """The listed vintages built at set-up; the others (``on_request = true``) are built when asked
    for (``geodata build --vintage LABEL --source ons``)."""
    return tuple(label for label, entry in sources_toml()["vintages"].items() if not entry.get("on_request"))


def default_vintage() -> str:
    """The vintage the app and the command line use unless told otherwise (``default`` in
    ``geodata/sources.toml``; without one, the last vintage it lists)."""
    sources = sources_toml()
    return str(sources.get("default") or list(sources["vintages"])[-1])


def current_year() -> int:
    """This year, by the machine's clock."""
    return date.today().year


def year_bounds(years: Iterable[pd.Series]) -> tuple[int, int]:
    """The years a slider over the data should span: the earliest year the data states, to this
    year or the latest year it states if that is later."""
    stated = pd.concat([pd.to_numeric(s, errors="coerce") for s in years]).dropna()
    stated = stated[stated.between(*PLAUSIBLE_YEARS)]
    this_year = current_year()
    if stated.empty:
        return this_year - 10, this_year
    return int(stated.min()), max(this_year, int(stated.max()))
