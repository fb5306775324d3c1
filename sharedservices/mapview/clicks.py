"""What the map's answers mean: a click on a node, a line or a council, a move worth keeping for
the URL, the map's size in pixels, and the view (centre, zoom) that fits a set of places."""

from __future__ import annotations

import numpy as np
import shapely

from sharedservices.mapview.style import MAX_ZOOM, MIN_ZOOM, NODE_RADIUS
from sharedservices.viewstate import DEFAULT_CENTER, DEFAULT_ZOOM
from sharedservices.vintages import Vintage


def council_at(boundaries: Vintage, lon: float, lat: float) -> str | None:
    """Code of the district-level council whose area holds a point (WGS84 degrees), else None."""
    districts = boundaries.districts
    hits = districts.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    return str(districts["code"].iloc[hits[0]]) if len(hits) else None


def click_action(returned: dict | None, previous: dict | None, boundaries: Vintage) -> tuple[str, str | None] | None:
    """What a click on the map means, from streamlit-folium's answer and the one before.

    Returns ``("link", None)`` for a click on a link (its popup opens; the selection stays),
    ``("council", code)`` for a click on a council's node or area, ``("clear", None)`` for a click on
    no council (the sea), or None when nothing was clicked since the last answer.
    """
    returned, previous = returned or {}, previous or {}
    click = returned.get("last_clicked")
    if not click or click == previous.get("last_clicked"):
        return None
    lon, lat = float(click["lng"]), float(click["lat"])
    drawing = returned.get("last_active_drawing") or {}
    properties = drawing.get("properties") or {}
    if drawing.get("geometry") and (properties.get("node") or "aid" in properties):
        reach_px = NODE_RADIUS + 3 if properties.get("node") else float(properties.get("weight", 3)) / 2 + 4
        if _pixels_between(drawing["geometry"], lon, lat, float(returned.get("zoom") or DEFAULT_ZOOM)) <= reach_px:
            if properties.get("node"):
                code = str(properties["node"])
                return ("council", code) if code in set(boundaries.councils["code"]) else None
            return "link", None
    under = council_at(boundaries, float(click["lng"]), float(click["lat"]))
    return ("council", under) if under else ("clear", None)


def _pixels_between(geometry: dict, lon: float, lat: float, zoom: float) -> float:
    """Screen distance, pixels at a Leaflet zoom, from a point (WGS84 degrees) to a GeoJSON geometry."""

    def to_pixels(x, y):
        return (
            np.asarray(x) / 360.0 * 256 * 2**zoom,
            np.log(np.tan(np.pi / 4 + np.radians(np.clip(y, -85, 85)) / 2)) / (2 * np.pi) * 256 * 2**zoom,
        )

    shape = shapely.transform(shapely.geometry.shape(geometry), lambda xy: np.column_stack(to_pixels(xy[:, 0], xy[:, 1])))
    return float(shape.distance(shapely.Point(*to_pixels(lon, lat))))


#: The least shift of the map's centre, pixels, that counts as the user moving the map.
MOVE_PX = 3


def moved_to(
    returned: dict | None, previous: dict | None, commanded: tuple[float, float, float] | None = None
) -> tuple[float, float, float] | None:
    """The map's new (lat, lon, zoom) when the user panned or zoomed since the last answer, else None.

    streamlit-folium's first answers repeat the map's initial settings, then the view it was
    sent (``commanded``), not a move of the user's; and Leaflet rounds a centre to whole pixels.
    So a view is taken only from an answer that is more than ``MOVE_PX`` away, at its zoom, from
    the answer before, the initial settings and the commanded view.
    """
    if not returned or not previous or not returned.get("center") or returned.get("zoom") is None:
        return None
    lat, lon, zoom = float(returned["center"]["lat"]), float(returned["center"]["lng"]), float(returned["zoom"])
    earlier = [(DEFAULT_CENTER[0], DEFAULT_CENTER[1], DEFAULT_ZOOM)]
    if previous.get("center") and previous.get("zoom") is not None:
        earlier.append((float(previous["center"]["lat"]), float(previous["center"]["lng"]), float(previous["zoom"])))
    if commanded:
        earlier.append((float(commanded[0]), float(commanded[1]), float(commanded[2])))
    for then_lat, then_lon, then_zoom in earlier:
        point = {"type": "Point", "coordinates": [then_lon, then_lat]}
        if then_zoom == zoom and _pixels_between(point, lon, lat, zoom) < MOVE_PX:
            return None
    return round(lat, 4), round(lon, 4), zoom


def map_size_px(answer: dict | None, default: tuple[int, int] = (800, 600)) -> tuple[int, int]:
    """The map's size in the browser, (width, height) pixels, from streamlit-folium's last answer
    (its bounds, WGS84 degrees, at its zoom); ``default`` before the map has answered."""
    bounds, zoom = (answer or {}).get("bounds") or {}, (answer or {}).get("zoom")
    try:
        south_west, north_east = bounds["_southWest"], bounds["_northEast"]
        scale = 256 * 2 ** float(zoom)  # type: ignore[arg-type]  # a missing zoom is caught below
        mercator = lambda lat: np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi)  # noqa: E731
        width = (north_east["lng"] - south_west["lng"]) / 360 * scale
        height = (mercator(north_east["lat"]) - mercator(south_west["lat"])) * scale
    except (KeyError, TypeError, ValueError):
        return default
    return (int(width), int(height)) if width > 100 and height > 100 else default


def view_for_councils(boundaries: Vintage, codes: list[str], size_px: tuple[int, int]) -> tuple[float, float, float]:
    """Centre (lat, lon, degrees) and zoom that fit the given councils in a map of ``size_px``."""
    box = boundaries.councils.set_index("code").loc[list(codes)].total_bounds
    return view_for_bounds(tuple(box), *size_px)


def view_for_bounds(
    bounds: tuple[float, float, float, float], width_px: int = 800, height_px: int = 700, padding: float = 0.1
) -> tuple[float, float, float]:
    """Centre (lat, lon, degrees) and Leaflet zoom that fit a WGS84 box in a map of the given size.

    The zoom is a multiple of 0.25 (the map's zoom step) between ``MIN_ZOOM`` and ``MAX_ZOOM - 0.5``.
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    mercator_y = lambda lat: np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))  # noqa: E731
    span_x = max(max_lon - min_lon, 0.01) / 360.0
    span_y = max(mercator_y(max_lat) - mercator_y(min_lat), 0.0002) / (2 * np.pi)
    zoom = np.log2(min(width_px / (256 * span_x), height_px / (256 * span_y)) * (1 - 2 * padding))
    zoom = float(np.clip(np.floor(zoom * 4) / 4, MIN_ZOOM, MAX_ZOOM - 0.5))
    centre_y = (mercator_y(max_lat) + mercator_y(min_lat)) / 2
    centre_lat = float(np.degrees(2 * np.arctan(np.exp(centre_y)) - np.pi / 2))
    return round(centre_lat, 4), round(float(min_lon + max_lon) / 2, 4), zoom


def should_fit(places: tuple, previous: tuple | None, *, first_visit: bool, has_rows: bool) -> bool:
    """Whether the map moves to show the filters' places: when the choice of places (regions,
    counties, search, one arrangement) changes, or a link without a centre names some; never
    for no rows or no choice of places."""
    if not has_rows or not any(places):
        return False
    return first_visit or previous not in (None, places)
