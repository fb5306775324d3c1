"""Data and a view -> the folium map: a base map built once, and the layers that change.

The base map (districts, county outlines, no tiles by default) depends only on the boundary
vintage, so the page builds it once per process. Filters and the selection only change the
dynamic layers (links, highlight), which streamlit-folium sends to the browser on their own.
Every text from a data file that reaches the map's HTML is escaped here.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlparse

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sharedservices import vendor
from sharedservices.links import link_arcs
from sharedservices.viewstate import DEFAULT_CENTER, DEFAULT_ZOOM
from sharedservices.vintages import Vintage

#: Colour-blind-safe colours (Okabe & Ito; Tol's indigo for the seventh), one per family of services.
SERVICE_FAMILIES = [
    ("Shared management", "#0072B2", ("shared_management",)),
    ("Back office: finance, HR, audit, procurement, property", "#E69F00",
     ("finance", "hr_payroll", "audit", "procurement", "property_facilities")),
    ("Revenues, benefits and customer services", "#009E73", ("revenues_benefits", "customer_services")),
    ("Legal and ICT", "#CC79A7", ("legal", "ict")),
    ("Regulation and planning", "#D55E00",
     ("building_control", "planning", "environmental_health_licensing", "trading_standards", "emergency_planning")),
    ("Waste, streets, transport and leisure", "#56B4E9", ("waste_street", "highways_transport", "leisure_culture")),
    ("Children's and adult social care", "#332288", ("children_education", "adult_social_care")),
    ("Other", "#666666", ("other",)),
]
FAMILY_OF = {category: (label, colour) for label, colour, categories in SERVICE_FAMILIES for category in categories}
SEA = "#dbe7f0"
LAND = "#f6f4ef"
BOUNDARY = "#a3acb6"
COUNTY_LINE = "#3b4450"
ARC_POINTS = 7
#: Decimal places of arc coordinates: about 100 m, plenty for a schematic line.
ARC_DECIMALS = 3
#: County outlines are simplified by this much, degrees (about 200 m).
OUTLINE_TOLERANCE = 0.002
#: Longest description shown in a popup, characters; the panel shows it whole.
POPUP_DESCRIPTION_CHARS = 240


def _compact_json(element: folium.MacroElement) -> folium.MacroElement:
    """Make an element's template write its data as compact JSON (the data is most of the page)."""
    element._template.environment.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":")}
    return element


def offline_map(location=DEFAULT_CENTER, zoom: float = DEFAULT_ZOOM, tiles: bool = False) -> folium.Map:
    """An empty folium map whose scripts and styles come from the app itself, not a CDN.

    With ``tiles`` an OpenStreetMap background is added for users who are online.
    """
    figure = folium.Map(
        location=list(location), zoom_start=zoom, tiles=None, control_scale=True,
        prefer_canvas=False, min_zoom=4, max_zoom=13, zoom_control=True, zoom_snap=0.25, zoom_delta=0.5,
    )
    figure.default_js = [("leaflet", vendor.asset_url("leaflet", "leaflet.js"))]
    figure.default_css = [("leaflet_css", vendor.asset_url("leaflet", "leaflet.css"))]
    if tiles:
        folium.TileLayer("OpenStreetMap", opacity=0.6).add_to(figure)
    style = (
        f"<style>.leaflet-container{{background:{SEA};font:14px/1.4 system-ui,sans-serif}}"
        ".leaflet-popup-content{max-width:380px;font-size:13px}.leaflet-popup-content th{text-align:left;padding-right:8px;vertical-align:top}.leaflet-tooltip{font-size:13px}</style>"
    )
    figure.get_root().header.add_child(folium.Element(style))
    return figure


def base_geojson(layers: Vintage) -> tuple[dict, dict]:
    """The base map's data: districts (code, escaped name) and county outlines, as GeoJSON dicts.

    Computed once per vintage; :func:`base_map` builds a fresh map from it on every page run,
    because streamlit-folium alters a map while drawing it.
    """
    districts = layers.districts[["code", "name", "geometry"]].copy()
    districts["name"] = districts["name"].map(html.escape)
    counties = layers.counties[["geometry"]].copy()
    coast = shapely.boundary(shapely.coverage_union_all(layers.districts.geometry.values))
    inland = shapely.difference(shapely.boundary(counties.geometry.values), coast)  # coasts are drawn already
    counties["geometry"] = shapely.simplify(inland, OUTLINE_TOLERANCE)
    as_dict = lambda frame: json.loads(frame.to_json(drop_id=True, separators=(",", ":")))  # noqa: E731
    return as_dict(districts), as_dict(counties)


def base_map(data: tuple[dict, dict], *, tiles: bool = False) -> folium.Map:
    """The map of one vintage's districts with county outlines (data from :func:`base_geojson`)."""
    districts, counties = data
    figure = offline_map(tiles=tiles)
    _compact_json(folium.GeoJson(
        districts,
        name="councils",
        style_function=lambda _: {"fillColor": LAND, "fillOpacity": 0.9 if not tiles else 0.35,
                                  "color": BOUNDARY, "weight": 0.6},
        highlight_function=lambda _: {"weight": 2, "color": COUNTY_LINE},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        zoom_on_click=False,
    )).add_to(figure)
    _compact_json(folium.GeoJson(
        counties,
        name="county outlines",
        style_function=lambda _: {"color": COUNTY_LINE, "weight": 1.4, "opacity": 0.8, "fill": False},
        interactive=False,
    )).add_to(figure)
    return figure


def links_layer(links: pd.DataFrame, arrangements: pd.DataFrame) -> folium.FeatureGroup:
    """One feature per arrangement and kind of link (crossing a county line or not).

    Colour by the family of the arrangement's first service, width by how many services it
    shares; links that cross a county line are drawn solid and strong, the others faint and
    dashed. A click opens the arrangement's details and sources.
    """
    group = folium.FeatureGroup(name="partnerships")
    if links.empty:
        return group
    details = arrangements.set_index("arrangement_id")
    arcs = link_arcs(links, points=ARC_POINTS)
    frame = pd.DataFrame({
        "arrangement_id": links["arrangement_id"].to_numpy(),
        "cross": links["cross_county"].to_numpy(dtype=bool),
        "arc": [[[round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)] for lat, lon in line] for line in arcs],
    })
    features = []
    for (arrangement_id, cross), group_rows in frame.groupby(["arrangement_id", "cross"], sort=False):
        row = details.loc[arrangement_id]
        services = _services(row["services"])
        colour = FAMILY_OF.get(services[0], FAMILY_OF["other"])[1] if services else FAMILY_OF["other"][1]
        weight = 1.5 + 0.7 * min(len(services), 6) + (1.5 if cross else 0)
        features.append({
            "type": "Feature", "id": len(features),
            "geometry": {"type": "MultiLineString", "coordinates": list(group_rows["arc"])},
            "properties": {
                "tip": html.escape(str(row["name"])) + (" · crosses a county line" if cross else ""),
                **arrangement_popup(row),
                "color": colour, "weight": round(weight, 1),
                "opacity": 0.9 if cross else 0.45, "dash": None if cross else "5 5",
            },
        })
    _compact_json(folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {"color": f["properties"]["color"], "weight": f["properties"]["weight"],
                                  "opacity": f["properties"]["opacity"], "dashArray": f["properties"]["dash"]},
        highlight_function=lambda f: {"weight": f["properties"]["weight"] + 3, "opacity": 1},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=list(POPUP_FIELDS), aliases=list(POPUP_FIELDS.values()), max_width=420),
        zoom_on_click=False,
    )).add_to(group)
    return group


#: More arrangements than this are drawn as bundles: one line per pair of places.
BUNDLE_ABOVE = 400
#: The most bundles drawn (the busiest pairs).
MAX_BUNDLES = 800


def bundled_links_layer(links: pd.DataFrame, arrangements: pd.DataFrame, council_names: pd.Series) -> folium.FeatureGroup:
    """Too many arrangements to draw one by one: one line per pair of places, by how many.

    Links between the same two points (councils, or a hub) are merged; the width grows with the
    number of arrangements, and the ``MAX_BUNDLES`` busiest pairs are drawn.
    """
    group = folium.FeatureGroup(name="partnerships")
    if links.empty:
        return group
    names = arrangements.set_index("arrangement_id")["name"]
    ends = ["lon_a", "lat_a", "lon_b", "lat_b"]
    keyed = links[["arrangement_id", "code_a", "code_b", "cross_county", *ends]].copy()
    keyed[ends] = keyed[ends].round(4)
    grouped = keyed.groupby(ends, sort=False)
    bundles = grouped.agg(count=("arrangement_id", "nunique"), cross=("cross_county", "max"),
                          code_a=("code_a", "first"), code_b=("code_b", "first"))
    bundles = bundles.nlargest(MAX_BUNDLES, "count").reset_index()
    members = keyed.merge(bundles[ends], on=ends).drop_duplicates([*ends, "arrangement_id"])
    listed_ids = members.groupby(ends, sort=False)["arrangement_id"].agg(lambda ids: list(ids[:8]))
    bundles["ids"] = bundles.set_index(ends).index.map(listed_ids)
    arcs = link_arcs(bundles, points=ARC_POINTS)
    features = []
    for number, row in bundles.iterrows():
        ends = " and ".join(html.escape(str(council_names.get(c, "the partnership's centre"))) for c in (row["code_a"], row["code_b"]))
        listed = "<br>".join(html.escape(str(names.get(i, i))) for i in row["ids"][:8])
        more = f"<br>… and {row['count'] - 8} more; filter to see each one" if row["count"] > 8 else ""
        features.append({
            "type": "Feature", "id": number,
            "geometry": {"type": "LineString",
                         "coordinates": [[round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)] for lat, lon in arcs[number]]},
            "properties": {
                "tip": f"{row['count']} arrangement{'s' if row['count'] != 1 else ''} between {ends}",
                "arrangements": listed + more,
                "weight": round(1.0 + 1.2 * np.log2(row["count"] + 1), 1),
                "opacity": 0.85 if row["cross"] else 0.4,
            },
        })
    _compact_json(folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {"color": "#3b4450", "weight": f["properties"]["weight"],
                                  "opacity": f["properties"]["opacity"]},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["tip", "arrangements"], labels=False, max_width=420),
        zoom_on_click=False,
    )).add_to(group)
    return group


def highlight_layer(layers: Vintage, selected: str, partners: list[str]) -> folium.FeatureGroup:
    """The selected council and its partners stand out; everything else fades behind a veil."""
    group = folium.FeatureGroup(name="selection")
    councils = layers.councils.set_index("code")
    if selected not in councils.index:
        return group
    partner_codes = [c for c in dict.fromkeys(partners) if c in councils.index and c != selected]
    shown = councils.loc[[selected, *partner_codes]]
    veil = shapely.difference(shapely.box(-30, 40, 30, 70), shapely.union_all(shown.geometry.values))
    folium.GeoJson(
        gpd.GeoSeries([veil], crs=layers.districts.crs).to_json(),
        style_function=lambda _: {"fillColor": "#ffffff", "fillOpacity": 0.6, "stroke": False},
        interactive=False,
    ).add_to(group)
    frame = gpd.GeoDataFrame({
        "code": list(shown.index),
        "role": ["selected"] + ["partner"] * len(partner_codes),
    }, geometry=shown.geometry.values, crs=layers.districts.crs)
    folium.GeoJson(
        frame.to_json(drop_id=True),
        style_function=lambda f: {
            "fillColor": "#f2b134" if f["properties"]["role"] == "selected" else "#8cc1e8",
            "fillOpacity": 0.55, "color": "#1b1f24", "weight": 2.5 if f["properties"]["role"] == "selected" else 1.2,
            "className": f"{f['properties']['role']} council-{f['properties']['code']}",
        },
        interactive=False,
    ).add_to(group)
    return group


POPUP_FIELDS = {"name": "Arrangement", "councils": "Councils", "services": "Services", "when": "When",
                "savings": "Stated savings", "about": "About", "sources": "Sources"}


def arrangement_popup(row: pd.Series) -> dict[str, str]:
    """The fields of an arrangement's popup, as HTML; every value from the data is escaped.

    The popup lays them out as a table (labels from ``POPUP_FIELDS``); only the sources carry
    markup of their own: links to the pages that state the arrangement.
    """
    description = str(row.get("description", "") or "").strip()
    if len(description) > POPUP_DESCRIPTION_CHARS:
        description = description[:POPUP_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
    sources = " ".join(
        f'<a href="{html.escape(url, quote=True)}" target="_blank">'
        f"{html.escape(urlparse(url).netloc.removeprefix('www.') or url)}</a>"
        for url in _urls(row.get("source_urls", ""))
    )
    return {
        "name": html.escape(str(row["name"])),
        "councils": html.escape(str(row.get("council_names", row.get("councils", "")))),
        "services": html.escape(", ".join(_service_labels(row["services"]))),
        "when": html.escape(f"{_years(row)}, {row.get('status', '')}"),
        "savings": html.escape(_savings(row)) or "none stated",
        "about": html.escape(description),
        "sources": sources or "none given",
    }


def arrangement_card(row: pd.Series) -> str:
    """An arrangement as a short HTML card for the side panel; every value escaped."""
    fields = arrangement_popup(row)
    about = html.escape(str(row.get("description", "") or ""))
    return (
        f"<div style='margin-bottom:0.8rem'><b>{fields['name']}</b><br>"
        f"<span style='color:#555'>{fields['when']} · {fields['services']}</span><br>"
        f"{fields['councils']}<br><span style='font-size:0.9em'>{about}</span><br>"
        f"<span style='font-size:0.9em'>Sources: {fields['sources']}</span></div>"
    )


def legend_items() -> list[tuple[str, str]]:
    """(label, colour) for the map's legend, one per family of services."""
    return [(label, colour) for label, colour, _ in SERVICE_FAMILIES]


def _services(cell) -> list[str]:
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [str(s) for s in cell]
    return [s for s in str(cell or "").split(";") if s]


def _service_labels(cell) -> list[str]:
    return [s.replace("_", " ") for s in _services(cell)]


def _urls(cell) -> list[str]:
    text = " ".join(cell) if isinstance(cell, (list, tuple, np.ndarray)) else str(cell or "")
    urls = [u for u in text.replace(";", " ").split() if u]
    return [u for u in urls if urlparse(u).scheme in ("http", "https")]


def _years(row: pd.Series) -> str:
    start, end = row.get("start_year"), row.get("end_year")
    start = "" if pd.isna(start) else str(int(start))
    end = "" if pd.isna(end) else str(int(end))
    if start and end:
        return f"{start}–{end}"
    if start:
        return f"since {start}"
    return f"until {end}" if end else "years not stated"


def _savings(row: pd.Series) -> str:
    value = row.get("savings_gbp_per_year")
    text = ""
    if value is not None and not pd.isna(value):
        text = f"£{float(value):,.0f} a year"
    note = str(row.get("savings_note", "") or "").strip()
    if note and note.lower() != "nan":
        text = f"{text} ({note})" if text else note
    return text


def council_at(layers: Vintage, lon: float, lat: float) -> str | None:
    """Code of the district-level council whose area holds a point (WGS84 degrees), else None."""
    districts = layers.districts
    hits = districts.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    return str(districts["code"].iloc[hits[0]]) if len(hits) else None


def click_action(returned: dict | None, previous: dict | None, layers: Vintage) -> tuple[str, str | None] | None:
    """What a click on the map means, from streamlit-folium's answer and the one before.

    Returns ``("link", None)`` for a click on a link (its popup opens; the selection stays),
    ``("council", code)`` for a click on a council's area, ``("clear", None)`` for a click on
    no council (the sea), or None when nothing was clicked since the last answer.
    """
    returned, previous = returned or {}, previous or {}
    click = returned.get("last_clicked")
    if not click or click == previous.get("last_clicked"):
        return None
    drawing = returned.get("last_active_drawing") or {}
    if drawing and drawing != previous.get("last_active_drawing") and "sources" in (drawing.get("properties") or {}):
        return "link", None
    code = council_at(layers, float(click["lng"]), float(click["lat"]))
    return ("council", code) if code else ("clear", None)


def moved_to(returned: dict | None, previous: dict | None) -> tuple[float, float, float] | None:
    """The map's new (lat, lon, zoom) when the user panned or zoomed since the last answer, else None.

    streamlit-folium's first answers repeat the map's initial settings, not what the browser
    shows, so a view is only taken from an answer that differs from an earlier one and from
    those initial settings.
    """
    if not returned or not previous or not returned.get("center") or returned.get("zoom") is None:
        return None
    if (returned["center"], returned["zoom"]) == (previous.get("center"), previous.get("zoom")):
        return None
    initial = {"lat": DEFAULT_CENTER[0], "lng": DEFAULT_CENTER[1]}
    if returned["center"] == initial and returned["zoom"] == DEFAULT_ZOOM:
        return None
    return round(float(returned["center"]["lat"]), 4), round(float(returned["center"]["lng"]), 4), float(returned["zoom"])


def view_for_bounds(bounds: tuple[float, float, float, float], width_px: int = 800, height_px: int = 700,
                    padding: float = 0.1) -> tuple[float, float, float]:
    """Centre (lat, lon, degrees) and Leaflet zoom that fit a WGS84 box in a map of the given size.

    The zoom is a multiple of 0.25 (the map's zoom step) between 4 and 11.
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    mercator_y = lambda lat: np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))  # noqa: E731
    span_x = max(max_lon - min_lon, 0.01) / 360.0
    span_y = max(mercator_y(max_lat) - mercator_y(min_lat), 0.0002) / (2 * np.pi)
    zoom = np.log2(min(width_px / (256 * span_x), height_px / (256 * span_y)) * (1 - 2 * padding))
    zoom = float(np.clip(np.floor(zoom * 4) / 4, 4, 11))
    centre_y = (mercator_y(max_lat) + mercator_y(min_lat)) / 2
    centre_lat = float(np.degrees(2 * np.arctan(np.exp(centre_y)) - np.pi / 2))
    return round(centre_lat, 4), round(float(min_lon + max_lon) / 2, 4), zoom
