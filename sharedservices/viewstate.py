"""What the pages show, as a value that round-trips through the page's URL.

Two parts: the shared ``Filters`` (boundary year and every sidebar filter, held on every page)
and the map's own ``MapView`` (selection, centre, zoom, presentation). A ``ViewState`` is both,
flat, as one URL holds them (it inherits the fields of both, written once). ``from_query`` reads it from URL query parameters, ignoring anything unknown
or malformed with a short notice (never an exception); ``to_query`` writes only what differs
from the defaults, so a shared link stays short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Self

from sharedservices.domain import (
    CROSSINGS,
    OUTCOMES,
    PLANNED_VINTAGES,
    PLAUSIBLE_YEARS,
    STATUSES,
    default_vintage,
    listed_vintages,
)

DEFAULT_CENTER = (54.6, -3.2)
DEFAULT_ZOOM = 5.5
_LIST_SEPARATOR = ","


@dataclass(frozen=True)
class Filters:
    """What every page filters by (the sidebar); savings in pounds a year, years inclusive
    (``None``: no bound)."""

    vintage: str = field(default_factory=default_vintage)
    regions: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    crossing: str = ""
    non_neighbours: bool = False
    min_savings: int = 0
    search: str = ""
    arrangement: str = ""
    reorganisation: tuple[str, ...] = ()

    def with_changes(self, **changes) -> Self:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class MapView:
    """The map's own view: the selected council, centre and zoom (WGS84 degrees), presentation."""

    selected: str = ""
    lat: float = DEFAULT_CENTER[0]
    lon: float = DEFAULT_CENTER[1]
    zoom: float = DEFAULT_ZOOM
    present: bool = False
    slide: int = 0
    tiles: bool = False


FILTER_FIELDS = tuple(item.name for item in fields(Filters))
MAP_FIELDS = tuple(item.name for item in fields(MapView))


@dataclass(frozen=True)
class ViewState(MapView, Filters):
    """A whole view, as one URL holds it: the fields of ``Filters`` then those of ``MapView``."""

    @property
    def filters(self) -> Filters:
        """The shared filters of this view."""
        return Filters(**{name: getattr(self, name) for name in FILTER_FIELDS})

    @property
    def map(self) -> MapView:
        """The map's own part of this view."""
        return MapView(**{name: getattr(self, name) for name in MAP_FIELDS})

    @classmethod
    def of(cls, filters: Filters, map_view: MapView) -> ViewState:
        """The whole view from its two parts."""
        return cls(**vars(filters), **vars(map_view))


_DEFAULTS = ViewState()
_NAMES = {
    "vintage": "vintage",
    "regions": "region",
    "counties": "county",
    "types": "type",
    "services": "service",
    "statuses": "status",
    "year_from": "from",
    "year_to": "to",
    "crossing": "cross",
    "non_neighbours": "non_neighbours",
    "min_savings": "savings",
    "search": "q",
    "arrangement": "arrangement",
    "reorganisation": "reorg",
    "selected": "council",
    "lat": "lat",
    "lon": "lon",
    "zoom": "zoom",
    "present": "present",
    "slide": "slide",
    "tiles": "tiles",
}


@dataclass
class Vocabulary:
    """The values a view may name, so unknown ones in a URL can be ignored with a notice."""

    regions: set[str] = field(default_factory=set)
    counties: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    councils: set[str] = field(default_factory=set)
    arrangements: set[str] = field(default_factory=set)
    vintages: set[str] = field(default_factory=lambda: {*listed_vintages(), *PLANNED_VINTAGES})
    #: The years the slider spans (``domain.year_bounds`` of the data).
    years: tuple[int, int] = PLAUSIBLE_YEARS


def from_query(params: Mapping[str, str | list[str]], vocabulary: Vocabulary) -> tuple[ViewState, list[str]]:
    """Read a view from URL query parameters.

    Returns the view and a list of notices, one per parameter that was ignored because it was
    unknown or malformed (e.g. ``?year=abc`` or an unknown council code).
    """
    notices: list[str] = []
    values: dict = {}
    known = {query: name for name, query in _NAMES.items()}
    for key, raw in params.items():
        text = raw[-1] if isinstance(raw, list) else str(raw)
        name = known.get(key)
        if name is None:
            notices.append(f"Ignored the unknown link setting “{_short(key)}”.")
            continue
        parsed = _parse(name, text, vocabulary)
        if parsed is None:
            notices.append(f"Ignored “{key}={_short(text)}”: not a value this map knows.")
            continue
        values[name] = parsed
    view = replace(_DEFAULTS, **values)
    if view.year_from is not None and view.year_to is not None and view.year_from > view.year_to:
        notices.append("Ignored the year range: it starts after it ends.")
        view = replace(view, year_from=None, year_to=None)
    return view, notices


def to_query(view: ViewState | Filters) -> dict[str, str]:
    """URL query parameters for a view (or just its filters): only the settings that differ from
    the defaults."""
    out: dict[str, str] = {}
    for item in fields(view):
        value = getattr(view, item.name)
        if value == getattr(_DEFAULTS, item.name):
            continue
        key = _NAMES[item.name]
        if isinstance(value, tuple):
            out[key] = _LIST_SEPARATOR.join(value)
        elif isinstance(value, bool):
            out[key] = "1"
        elif isinstance(value, float):
            out[key] = f"{value:.4f}".rstrip("0").rstrip(".")
        else:
            out[key] = str(value)
    return out


def _short(text: str, limit: int = 40) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse(name: str, text: str, vocabulary: Vocabulary):
    text = text.strip()
    if name == "vintage":
        return text if text in vocabulary.vintages else None
    if name in ("regions", "counties", "types", "services", "statuses", "reorganisation"):
        allowed = {"statuses": STATUSES, "reorganisation": OUTCOMES}.get(name) or getattr(vocabulary, name)
        items = tuple(dict.fromkeys(v.strip() for v in text.split(_LIST_SEPARATOR) if v.strip()))
        return items if items and all(v in allowed for v in items) else None
    if name in ("year_from", "year_to"):
        return int(text) if re.fullmatch(r"\d{4}", text) and PLAUSIBLE_YEARS[0] <= int(text) <= PLAUSIBLE_YEARS[1] else None
    if name == "crossing":
        return text if text in CROSSINGS else None
    if name in ("non_neighbours", "present", "tiles"):
        return {"1": True, "true": True, "0": False, "false": False}.get(text.lower())
    if name == "min_savings":
        return int(text) if re.fullmatch(r"\d{1,10}", text) else None
    if name == "search":
        return text[:100] if text else None
    if name == "arrangement":
        return text if text in vocabulary.arrangements else None
    if name == "selected":
        return text if text in vocabulary.councils else None
    if name in ("lat", "lon"):
        try:
            number = float(text)
        except ValueError:
            return None
        bound = 90 if name == "lat" else 180
        return number if -bound <= number <= bound else None
    if name == "zoom":
        return float(text) if re.fullmatch(r"\d{1,2}(\.\d{1,2})?", text) and 3 <= float(text) <= 18 else None
    if name == "slide":
        return int(text) if re.fullmatch(r"\d{1,3}", text) else None
    return None
