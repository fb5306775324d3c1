"""Arrangements -> links between councils, flagged by the lines they cross, and arcs for the map.

An arrangement of several councils is drawn either as every pair of its members (``"pairs"``) or
as spokes from a hub (``"hub"``): the lead council where there is one, else a point at the
members' centre, which is not a council (``code_a`` is missing and ``lon_a``/``lat_a`` give the
point). Each link says whether its councils are in different upper tiers (county or unitary),
regions or nations, whether their areas touch, and how far apart they are.

Neighbours are computed once per councils table (:func:`council_index`), and links for many
arrangements are built with whole-array operations, not a loop over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sharedservices import settings

#: Points per curved line on the map, ends included.
ARC_POINTS = 5
#: Decimal places of arc coordinates: about 100 m, plenty for a schematic line.
ARC_DECIMALS = 3

#: Columns of a links table, in order.
LINK_COLUMNS = [
    "arrangement_id",
    "code_a",
    "code_b",
    "lon_a",
    "lat_a",
    "lon_b",
    "lat_b",
    "cross_county",
    "cross_region",
    "cross_nation",
    "adjacent",
    "distance_km",
    "services",
    "status",
]
LINK_MODES = ("pairs", "hub")
#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088
#: Councils whose areas come this close are neighbours (absorbs slivers of generalised files), m.
NEIGHBOUR_TOLERANCE_M = 50.0


@dataclass(frozen=True)
class CouncilIndex:
    """A councils table as arrays for fast link building; build it with :func:`council_index`.

    Councils are sorted by code; ``lon``/``lat`` are representative points (WGS84, degrees);
    ``upper``, ``region`` and ``nation`` are integer labels; ``neighbour_keys`` holds
    ``i * n + j`` (sorted) for every pair of neighbouring councils ``i < j``.
    """

    codes: pd.Index
    lon: np.ndarray
    lat: np.ndarray
    upper: np.ndarray
    region: np.ndarray
    nation: np.ndarray
    neighbour_keys: np.ndarray

    def neighbours_of(self, code: str) -> list[str]:
        """Codes of the councils whose areas touch ``code``'s (see :func:`neighbour_pairs`), sorted."""
        if code not in self.codes:
            return []
        n, i = len(self.codes), self.codes.get_loc(code)
        low, high = self.neighbour_keys // n, self.neighbour_keys % n
        return sorted(self.codes[np.concatenate([high[low == i], low[high == i]])])


def neighbour_pairs(councils: gpd.GeoDataFrame, tolerance_m: float = NEIGHBOUR_TOLERANCE_M) -> pd.DataFrame:
    """Pairs of councils whose areas touch or overlap.

    Two councils are neighbours when their areas come within ``tolerance_m`` metres of each other
    (in British National Grid, EPSG:27700), which includes sharing a border. A county and one of
    its own districts overlap, so they count as neighbours too, as does a county and any council
    across its border.

    Parameters
    ----------
    councils : geopandas.GeoDataFrame
        ``code`` and ``geometry`` (any CRS that can be converted to EPSG:27700).
    tolerance_m : float
        Largest gap between two areas that still counts as a shared border, metres.

    Returns
    -------
    pandas.DataFrame
        ``code_a``, ``code_b`` with ``code_a < code_b``, sorted.
    """
    geometry = councils.geometry.to_crs(settings.WORK_CRS).values
    tree = shapely.STRtree(geometry)
    left, right = tree.query(geometry, predicate="dwithin", distance=tolerance_m)
    codes = councils["code"].to_numpy(dtype=object)
    a, b = codes[left], codes[right]
    keep = a < b
    pairs = pd.DataFrame({"code_a": a[keep], "code_b": b[keep]}).drop_duplicates()
    return pairs.sort_values(["code_a", "code_b"], ignore_index=True)


def council_index(councils: gpd.GeoDataFrame, tolerance_m: float = NEIGHBOUR_TOLERANCE_M) -> CouncilIndex:
    """Prepare a councils table (``vintages.load_councils``) for :func:`build_links`; do it once.

    Parameters
    ----------
    councils : geopandas.GeoDataFrame
        Columns ``code``, ``upper_tier_code``, ``region_code``, ``nation``, ``lon``, ``lat``
        (representative point, WGS84 degrees) and ``geometry``.
    tolerance_m : float
        See :func:`neighbour_pairs`.
    """
    table = councils.sort_values("code", ignore_index=True)
    codes = pd.Index(table["code"].astype(str))
    pairs = neighbour_pairs(table, tolerance_m)
    n = len(codes)
    keys = codes.get_indexer(pairs["code_a"]).astype(np.int64) * n + codes.get_indexer(pairs["code_b"])
    return CouncilIndex(
        codes=codes,
        lon=table["lon"].to_numpy(dtype=float),
        lat=table["lat"].to_numpy(dtype=float),
        upper=pd.factorize(table["upper_tier_code"])[0],
        region=pd.factorize(table["region_code"])[0],
        nation=pd.factorize(table["nation"])[0],
        neighbour_keys=np.sort(keys),
    )


def build_links(long: pd.DataFrame, councils: CouncilIndex | gpd.GeoDataFrame, *, mode: str = "pairs") -> pd.DataFrame:
    """Links between the member councils of each arrangement.

    Parameters
    ----------
    long : pandas.DataFrame
        The canonical long table (``Report.long``): ``arrangement_id``, ``code`` (GSS codes of
        the councils table's vintage), and optionally ``role`` ("lead"/"member"), ``services``
        and ``status``, which the links carry.
    councils : CouncilIndex or geopandas.GeoDataFrame
        From :func:`council_index` (reuse it), or a councils table to index now.
    mode : {"pairs", "hub"}
        ``"pairs"``: a link for every pair of members. ``"hub"``: a link from the lead council
        (the first, if several) to each other member; with no lead, from a point at the members'
        centre (spherical mean of their representative points), given as ``code_a`` missing.

    Returns
    -------
    pandas.DataFrame
        ``LINK_COLUMNS``: endpoints as codes and WGS84 lon/lat (degrees); ``cross_county``,
        ``cross_region``, ``cross_nation`` (bool: the two councils are in different upper tiers,
        regions, nations; for a spoke from a centre point, whether the arrangement's members
        are); ``adjacent`` (nullable bool: the two areas touch or overlap, see
        :func:`neighbour_pairs`; missing for a spoke from a centre point); ``distance_km``
        (great-circle distance between the endpoints, km).

    Raises
    ------
    ValueError
        When ``mode`` is unknown, or a code is not in the councils table (the arrangements were
        matched against another boundary vintage).
    """
    if mode not in LINK_MODES:
        raise ValueError(f"Unknown link mode {mode!r}; use one of {', '.join(LINK_MODES)}.")
    index = councils if isinstance(councils, CouncilIndex) else council_index(councils)
    members = _members(long, index)
    if mode == "pairs":
        ends = members.merge(members[["arrangement", "position"]], on="arrangement", suffixes=("_a", "_b"))
        ends = ends[ends["position_a"] < ends["position_b"]]
        return _links(ends["arrangement"].to_numpy(), ends["position_a"].to_numpy(), ends["position_b"].to_numpy(), index, long)
    leads = members[members["is_lead"]].drop_duplicates("arrangement").set_index("arrangement")["position"]
    hub = members["arrangement"].map(leads)
    spokes = members[hub.notna() & (members["position"] != hub)]
    led = _links(
        spokes["arrangement"].to_numpy(), hub[spokes.index].to_numpy(dtype=np.int64), spokes["position"].to_numpy(), index, long
    )
    sizes = members.groupby("arrangement")["position"].transform("size")
    unled = members[hub.isna() & (sizes > 1)]
    centred = _centre_spokes(unled, index, long)
    return pd.concat([led, centred], ignore_index=True).sort_values(
        ["arrangement_id", "code_a", "code_b"], ignore_index=True, na_position="first"
    )


def link_counts(links: pd.DataFrame) -> dict:
    """Headline counts of a links table.

    Returns
    -------
    dict
        ``arrangements`` and ``councils`` (distinct ones with a link), ``links``, and how many
        links are ``cross_county``, ``cross_region``, ``cross_nation`` and ``non_adjacent``
        (between councils whose areas do not touch).
    """
    councils = pd.concat([links["code_a"], links["code_b"]]).dropna()
    return {
        "arrangements": int(links["arrangement_id"].nunique()),
        "councils": int(councils.nunique()),
        "links": int(len(links)),
        "cross_county": int(links["cross_county"].sum()),
        "cross_region": int(links["cross_region"].sum()),
        "cross_nation": int(links["cross_nation"].sum()),
        "non_adjacent": int((links["adjacent"] == False).sum()),  # noqa: E712 (missing is not counted)
    }


def great_circle_km(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    """Great-circle (haversine) distance between points given in degrees (WGS84), km."""
    lon_a, lat_a, lon_b, lat_b = (np.radians(np.asarray(v, dtype=float)) for v in (lon_a, lat_a, lon_b, lat_b))
    h = np.sin((lat_b - lat_a) / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def link_arcs(
    links: pd.DataFrame, *, points: int = 17, bend: float | np.ndarray = 0.2, decimals: int = 5, lon_first: bool = False
) -> list[list[list[float]]]:
    """Curved lines for the links of a table, ready for ``folium.PolyLine``.

    Parameters
    ----------
    links : pandas.DataFrame
        With ``lon_a``, ``lat_a``, ``lon_b``, ``lat_b`` (WGS84, degrees).
    points : int
        Points per arc, ends included.
    bend : float or array
        How far the middle of the arc leaves the straight line, as a share of the link's length
        (0 draws a straight line); one for all links, or one per link. Arcs bend to the left going
        from a to b (a negative bend, to the right).
    decimals : int
        Decimals of a degree kept (3 is about 100 m, finer than a line on the map).
    lon_first : bool
        ``[lon, lat]`` pairs, as GeoJSON has them, instead of ``[lat, lon]``.

    Returns
    -------
    list
        One list of ``[lat, lon]`` (or ``[lon, lat]``) pairs, degrees, per link, from a to b.
    """
    lon_a, lat_a, lon_b, lat_b = (links[c].to_numpy(dtype=float)[:, None] for c in ("lon_a", "lat_a", "lon_b", "lat_b"))
    bend = np.asarray(bend, dtype=float).reshape(-1, 1) if np.ndim(bend) else bend
    scale = np.cos(np.radians((lat_a + lat_b) / 2))  # east-west degrees shrink with latitude
    xa, xb = lon_a * scale, lon_b * scale
    cx = (xa + xb) / 2 - bend * (lat_b - lat_a)
    cy = (lat_a + lat_b) / 2 + bend * (xb - xa)
    t = np.linspace(0.0, 1.0, points)[None, :]
    x = (1 - t) ** 2 * xa + 2 * (1 - t) * t * cx + t**2 * xb
    y = (1 - t) ** 2 * lat_a + 2 * (1 - t) * t * cy + t**2 * lat_b
    pairs = [x / scale, y] if lon_first else [y, x / scale]
    return np.round(np.stack(pairs, axis=-1), decimals).tolist()


def fanned_bends(links: pd.DataFrame, *, bend: float = 0.2, step: float = 0.12, most: int = 6) -> np.ndarray:
    """A bend per link (for :func:`link_arcs`) that fans out the links joining the same two
    places, so each arrangement between them has a line of its own to see and click: the first
    bends by ``bend``, the next ones by ``step`` more each (at most ``most`` steps), all to one side."""
    keys = ["lon_a", "lat_a", "lon_b", "lat_b"]
    ends = links[keys].round(4)
    forward = (ends["lon_a"] < ends["lon_b"]) | ((ends["lon_a"] == ends["lon_b"]) & (ends["lat_a"] <= ends["lat_b"]))
    # The same two places whichever way round the link was written: the western end first.
    places = pd.DataFrame(
        {
            "lon_1": np.where(forward, ends["lon_a"], ends["lon_b"]),
            "lat_1": np.where(forward, ends["lat_a"], ends["lat_b"]),
            "lon_2": np.where(forward, ends["lon_b"], ends["lon_a"]),
            "lat_2": np.where(forward, ends["lat_b"], ends["lat_a"]),
        },
        index=links.index,
    )
    rank = places.groupby(list(places.columns), dropna=False, sort=False).cumcount().clip(upper=most)
    return np.where(forward, 1.0, -1.0) * (bend + step * rank.to_numpy())


def _members(long: pd.DataFrame, index: CouncilIndex) -> pd.DataFrame:
    """Distinct (arrangement, council) rows with integer labels, lead flags, in the table's order."""
    position = index.codes.get_indexer(long["code"])
    if (position < 0).any():
        unknown = sorted(set(long["code"][position < 0]))
        raise ValueError(
            f"{len(unknown)} council code(s) are not in this councils table ({', '.join(unknown[:5])}); "
            "were the arrangements matched against another boundary vintage?"
        )
    roles = long["role"] if "role" in long else pd.Series("member", index=long.index)
    members = pd.DataFrame(
        {
            "arrangement": pd.factorize(long["arrangement_id"])[0],
            "position": position,
            "is_lead": (roles == "lead").to_numpy(),
        }
    )
    leads_first = members.sort_values("is_lead", ascending=False, kind="stable")
    return leads_first.drop_duplicates(["arrangement", "position"]).sort_index()


def _attributes(long: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per arrangement label: id, services, status (empty text where the table has none)."""
    firsts = long.drop_duplicates("arrangement_id")
    empty = np.full(len(firsts), "", dtype=object)
    return (
        firsts["arrangement_id"].to_numpy(dtype=object),
        firsts["services"].to_numpy(dtype=object) if "services" in long else empty,
        firsts["status"].to_numpy(dtype=object) if "status" in long else empty,
    )


def _links(arrangement: np.ndarray, a: np.ndarray, b: np.ndarray, index: CouncilIndex, long: pd.DataFrame) -> pd.DataFrame:
    ids, services, status = _attributes(long)
    n = len(index.codes)
    keys = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    slot = np.searchsorted(index.neighbour_keys, keys)
    slot = np.minimum(slot, max(len(index.neighbour_keys) - 1, 0))
    adjacent = index.neighbour_keys[slot] == keys if len(index.neighbour_keys) else np.zeros(len(keys), bool)
    return pd.DataFrame(
        {
            "arrangement_id": ids[arrangement],
            "code_a": index.codes.to_numpy()[a],
            "code_b": index.codes.to_numpy()[b],
            "lon_a": index.lon[a],
            "lat_a": index.lat[a],
            "lon_b": index.lon[b],
            "lat_b": index.lat[b],
            "cross_county": index.upper[a] != index.upper[b],
            "cross_region": index.region[a] != index.region[b],
            "cross_nation": index.nation[a] != index.nation[b],
            "adjacent": pd.array(adjacent, dtype="boolean"),
            "distance_km": great_circle_km(index.lon[a], index.lat[a], index.lon[b], index.lat[b]),
            "services": services[arrangement],
            "status": status[arrangement],
        },
        columns=LINK_COLUMNS,
    )


def _centre_spokes(members: pd.DataFrame, index: CouncilIndex, long: pd.DataFrame) -> pd.DataFrame:
    """Spokes from the spherical mean of each arrangement's members to each member."""
    ids, services, status = _attributes(long)
    position = members["position"].to_numpy()
    lon, lat = np.radians(index.lon[position]), np.radians(index.lat[position])
    unit = pd.DataFrame(
        {
            "arrangement": members["arrangement"].to_numpy(),
            "x": np.cos(lat) * np.cos(lon),
            "y": np.cos(lat) * np.sin(lon),
            "z": np.sin(lat),
            "upper": index.upper[position],
            "region": index.region[position],
            "nation": index.nation[position],
        }
    )
    groups = unit.groupby("arrangement")
    centre = groups[["x", "y", "z"]].transform("mean")
    spread = groups[["upper", "region", "nation"]].transform("nunique") > 1
    hub_lon = np.degrees(np.arctan2(centre["y"], centre["x"])).to_numpy()
    hub_lat = np.degrees(np.arctan2(centre["z"], np.hypot(centre["x"], centre["y"]))).to_numpy()
    arrangement = unit["arrangement"].to_numpy()
    return pd.DataFrame(
        {
            "arrangement_id": ids[arrangement],
            "code_a": pd.Series([None] * len(unit), dtype="str"),
            "code_b": index.codes.to_numpy()[position],
            "lon_a": hub_lon,
            "lat_a": hub_lat,
            "lon_b": index.lon[position],
            "lat_b": index.lat[position],
            "cross_county": spread["upper"].to_numpy(),
            "cross_region": spread["region"].to_numpy(),
            "cross_nation": spread["nation"].to_numpy(),
            "adjacent": pd.array([pd.NA] * len(unit), dtype="boolean"),
            "distance_km": great_circle_km(hub_lon, hub_lat, index.lon[position], index.lat[position]),
            "services": services[arrangement],
            "status": status[arrangement],
        },
        columns=LINK_COLUMNS,
    )


def map_arcs(links: pd.DataFrame) -> list[list[list[float]]]:
    """The curved line the map draws for each link (``[lon, lat]`` pairs, WGS84, ``ARC_DECIMALS``),
    fanned where links share their ends. Made once per workspace, so a filtered view draws each
    link on the line it always has."""
    return link_arcs(links, points=ARC_POINTS, bend=fanned_bends(links), decimals=ARC_DECIMALS, lon_first=True)
