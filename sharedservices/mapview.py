"""Data and a view -> the folium map: a base map built once, and the layers that change.

The base map (districts, county outlines, no tiles by default) depends only on the boundary
vintage, so the page builds it once per process. Filters and the selection only change the
dynamic layers (links, highlight), which streamlit-folium sends to the browser on their own.
Every text from a data file that reaches the map's HTML is escaped here.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import branca.element
import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import shapely

from sharedservices import settings, vendor
from sharedservices.arrangements import load_categories
from sharedservices.filters import Shown, arrangements_of, partners
from sharedservices.links import fanned_bends, link_arcs
from sharedservices.viewstate import DEFAULT_CENTER, DEFAULT_ZOOM
from sharedservices.vintages import Vintage

#: One colour per family of services: Okabe & Ito's colour-blind-safe hues, darkened where needed so
#: every line has at least 3:1 contrast against the land (WCAG 2.2 non-text contrast).
SERVICE_FAMILIES = [
    ("Shared management", "#0072B2", ("shared_management",)),
    (
        "Back office: finance, HR, audit, procurement, property",
        "#B26B00",
        ("finance", "hr_payroll", "audit", "procurement", "property_facilities"),
    ),
    ("Revenues, benefits and customer services", "#007A5A", ("revenues_benefits", "customer_services")),
    ("Legal and ICT", "#AA3377", ("legal", "ict")),
    (
        "Regulation and planning",
        "#D55E00",
        ("building_control", "planning", "environmental_health_licensing", "trading_standards", "emergency_planning"),
    ),
    ("Waste, streets, transport and leisure", "#0E7490", ("waste_street", "highways_transport", "leisure_culture")),
    ("Children's and adult social care", "#332288", ("children_education", "adult_social_care")),
    ("Other", "#5E5E5E", ("other",)),
]
FAMILY_OF = {category: (label, colour) for label, colour, categories in SERVICE_FAMILIES for category in categories}
SEA = "#dbe7f0"
LAND = "#f6f4ef"
BOUNDARY = "#a3acb6"
COUNTY_LINE = "#3b4450"
ARC_POINTS = 5
#: Decimal places of arc coordinates: about 100 m, plenty for a schematic line.
ARC_DECIMALS = 3
#: County outlines are simplified by this much, degrees (about 200 m).
OUTLINE_TOLERANCE = 0.002
#: Where the base map's data files are written; Streamlit serves ``static/`` at ``/app/static/``.
#: Zoom limits: the whole UK at the widest, a few streets' worth of a London borough at the closest.
MIN_ZOOM, MAX_ZOOM = 4, 12
#: The shortest the map gets, pixels, however small the window.
MIN_MAP_PX = 360
#: Longest description shown in a popup, characters; the panel shows it whole.
POPUP_DESCRIPTION_CHARS = 180


#: How folium's templates write data as JSON here: without spaces (the data is most of the page).
COMPACT_JSON = {"sort_keys": False, "separators": (",", ":")}
# A process-wide choice, made once: folium's templates share one Jinja environment, so every map
# this process draws (the app's, the exports') writes its JSON compactly.
folium.GeoJson._template.environment.policies["json.dumps_kwargs"] = COMPACT_JSON


def page_of(figure: folium.Map) -> branca.element.Figure:
    """The HTML page a map is drawn in (its ``header`` and ``html`` take extra elements)."""
    root = figure.get_root()
    assert isinstance(root, branca.element.Figure)
    return root


def offline_map(
    location=DEFAULT_CENTER, zoom: float = DEFAULT_ZOOM, tiles: bool = False, base_url: str = "", details_url: str = ""
) -> folium.Map:
    """An empty folium map whose scripts and styles come from the app itself, not a CDN.

    With ``tiles`` an OpenStreetMap background is added for users who are online; ``base_url``
    is where the browser fetches the councils, outlines and names (:func:`write_base_layer`).
    """
    figure = folium.Map(
        location=list(location),
        zoom_start=zoom,  # type: ignore[arg-type]  # Leaflet takes fractional zooms
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        zoom_control=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # folium gives the zoom limits to its tile layers only; with no tiles the map needs them itself.
    # Panning stops a little beyond the UK and Ireland.
    figure.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM, max_bounds=[[46.5, -18.0], [62.5, 9.0]], max_bounds_viscosity=0.8)
    figure.default_js = [("leaflet", vendor.asset_url("leaflet", "leaflet.js"))]
    figure.default_css = [("leaflet_css", vendor.asset_url("leaflet", "leaflet.css"))]
    if tiles:
        # OpenStreetMap refuses tile requests that carry no referrer: send the origin with each.
        folium.TileLayer("OpenStreetMap", opacity=0.6, referrerPolicy="strict-origin-when-cross-origin").add_to(figure)
    style = (
        f"<style>.leaflet-container{{background:{SEA};font:14px/1.4 system-ui,sans-serif}}"
        ".leaflet-popup-content{max-width:380px;font-size:13px}.leaflet-popup-content th{text-align:left;padding-right:8px;vertical-align:top}.leaflet-tooltip{font-size:13px}"
        ".leaflet-interactive:focus{outline:none}"
        ".council-label{background:none;border:none;box-shadow:none;padding:0;color:#3b4450;font-weight:500;"
        "font-size:12px;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;white-space:nowrap;pointer-events:none}"
        ".council-label{display:inline-block;transform:translate(-50%,6px)}.council-label.strong{font-size:14px;font-weight:700;color:#111}"
        ".council-label-anchor{background:none;border:none}</style>"
    )
    page_of(figure).header.add_child(folium.Element(style))
    MapBehaviour(base_url, details_url, tiles=tiles).add_to(figure)
    return figure


class MapBehaviour(folium.MacroElement):
    """The map's behaviour in the page, as a script run once when the map is drawn.

    - The map's frame is as tall as the window leaves room for (never below ``MIN_MAP_PX``), so
      a click never scrolls the page under the mouse; Leaflet's focus on mouse-down does not
      scroll the page either.
    - Tooltips close when the mouse leaves the map; map shapes stay out of the tab order.
    - The councils, county outlines and names are fetched from ``base_url`` (a static file per
      vintage, so the page sends it once and the browser caches it) and drawn below the links.
      Names are set as text, never as HTML.
    - Labels: a council's name shows only at the zoom where its area is wide enough for it
      (``data-span``, degrees of longitude); a ``strong`` label (the selection) always shows.
    - A line's popup (its arrangement's details and sources) comes from ``details_url``, fetched
      once; the lines carry only their arrangement's id.
    - In presentation mode (the page has the presentation buttons) the arrow keys and Escape
      press Back, Next and Exit even when the map has the keyboard focus.
    """

    _template = jinja2.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var keyboard = map.keyboard;
  keyboard.disable();
  keyboard._onMouseDown = function () {
    if (!this._focused) { this._map.getContainer().focus({preventScroll: true}); }
  };
  keyboard.enable();
  var frame = window.frameElement, host = window.parent;
  function fit() {
    if (!frame || !host) { return; }
    var top = frame.getBoundingClientRect().top, node = frame.parentElement;
    while (node) { top += node.scrollTop || 0; node = node.parentElement; }
    var height = Math.max({{ this.min_px }}, Math.floor(host.innerHeight - top - {{ this.margin_px }}));
    if (height === fitted) { return; }
    fitted = height;
    frame.style.setProperty("height", height + "px", "important");
    map.getContainer().style.height = height + "px";
    map.invalidateSize();  // keeps the centre where it was
  }
  var fitted = 0;
  fit();
  // The page above the map changes as the user works (a slide's title, a notice): follow it.
  setInterval(fit, 250);
  // A line's popup is built on a click from the details file, fetched once (LINE_POPUP below).
  // A URL starting with "#" names a JSON script element of the page (a map saved as one file).
  function load(url) {
    if (url.charAt(0) === "#") { return Promise.resolve(JSON.parse(document.getElementById(url.slice(1)).textContent)); }
    return fetch(url).then(function (response) { return response.json(); });
  }
  var detailsUrl = {{ this.details_url_json }};
  window.arrangementDetails = detailsUrl ? load(detailsUrl) : Promise.resolve({});
  var names = L.layerGroup().addTo(map);
  function text(value) { var node = document.createElement("span"); node.textContent = value; return node; }
  var base = {{ this.base_url_json }};
  if (base) {
    load(base).then(function (data) {
      var councils = L.geoJSON(data.districts, {
        style: {fillColor: "{{ this.land }}", fillOpacity: {{ this.fill_opacity }}, color: "{{ this.boundary }}", weight: 0.6},
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(text(feature.properties.name), {sticky: false});
          layer.on("mouseover", function () { layer.setStyle({weight: 2, color: "{{ this.county_line }}"}); });
          layer.on("mouseout", function () { councils.resetStyle(layer); });
        }
      });
      var outlines = L.geoJSON(data.outlines, {interactive: false,
        style: {color: "{{ this.county_line }}", weight: 1.4, opacity: 0.8, fill: false}});
      outlines.addTo(map).bringToBack();
      councils.addTo(map).bringToBack();
      data.labels.forEach(function (item) {
        var label = text(item[1]);
        label.className = "council-label";
        label.dataset.code = item[0];
        label.dataset.span = item[4];
        names.addLayer(L.marker([item[2], item[3]], {
          icon: L.divIcon({html: label, className: "council-label-anchor", iconSize: null}),
          interactive: false, keyboard: false, pane: "tooltipPane"}));
      });
      map.getContainer().dataset.base = "drawn";
      settle();
    });
  }
  // Layers arrive by the hundred (every feature is one): tidy up once after they settle.
  var pending = null;
  function settle() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; labels(); untab(); }, 50);
  }
  map.on("zoomend layeradd layerremove", settle);
  function labels() {
    var scale = 256 * Math.pow(2, map.getZoom()) / 360, strong = {};
    document.querySelectorAll(".council-label.strong").forEach(function (label) { strong[label.dataset.code] = true; });
    document.querySelectorAll(".council-label:not(.strong)").forEach(function (label) {
      var fits = !strong[label.dataset.code] && label.dataset.span * scale > 9 * label.textContent.length + 24;
      label.style.visibility = fits ? "visible" : "hidden";
    });
  }
  labels();
  map.getContainer().addEventListener("mouseleave", function () {
    map.eachLayer(function (layer) { if (layer.closeTooltip) { layer.closeTooltip(); } });
  });
  function untab() {
    document.querySelectorAll(".leaflet-interactive[tabindex], .leaflet-marker-icon[tabindex]")
      .forEach(function (shape) { shape.setAttribute("tabindex", "-1"); });
  }
  untab();
  var keys = {ArrowLeft: "present_back", ArrowRight: "present_next", Escape: "present_exit"};
  document.addEventListener("keydown", function (event) {
    var key = keys[event.key];
    var button = key && host && host.document.querySelector(".st-key-" + key + " button");
    if (button) { event.preventDefault(); event.stopPropagation(); button.click(); }
  }, true);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(
        self, base_url: str, details_url: str = "", *, tiles: bool = False, min_px: int = MIN_MAP_PX, margin_px: int = 12
    ):
        super().__init__()
        self._name = "MapBehaviour"
        self.min_px, self.margin_px = min_px, margin_px
        self.base_url_json = json.dumps(base_url).replace("</", "<\\/")
        self.details_url_json = json.dumps(details_url).replace("</", "<\\/")
        self.land, self.boundary, self.county_line = LAND, BOUNDARY, COUNTY_LINE
        self.fill_opacity = 0.35 if tiles else 0.9


def base_geojson(boundaries: Vintage) -> tuple[dict, dict, list]:
    """The base map's data: districts (code, name as written) and county outlines as GeoJSON dicts,
    and a label per district: ``[code, name, lat, lon, width]`` (WGS84 degrees; width of its area
    in degrees of longitude, so the page shows a name only where it fits).

    Computed once per vintage; :func:`base_map` builds a fresh map from it on every page run,
    because streamlit-folium alters a map while drawing it.
    """
    districts = boundaries.districts[["code", "name", "geometry"]].copy()
    counties = boundaries.counties[["geometry"]].copy()
    coast = shapely.boundary(shapely.coverage_union_all(boundaries.districts.geometry.values))
    inland = shapely.difference(shapely.boundary(counties.geometry.values), coast)  # coasts are drawn already
    counties["geometry"] = shapely.set_precision(shapely.simplify(inland, OUTLINE_TOLERANCE), 10**-ARC_DECIMALS)
    as_dict = lambda frame: json.loads(frame.to_json(drop_id=True, separators=(",", ":")))  # noqa: E731
    bounds = boundaries.districts.geometry.bounds
    labels = [
        [code, name, round(lat, ARC_DECIMALS), round(lon, ARC_DECIMALS), round(width, 2)]
        for code, name, lat, lon, width in zip(
            boundaries.districts["code"],
            boundaries.districts["name"],
            boundaries.districts["lat"],
            boundaries.districts["lon"],
            bounds["maxx"] - bounds["minx"],
        )
    ]
    return as_dict(districts), as_dict(counties), labels


def write_base_layer(boundaries: Vintage, folder: Path | None = None) -> str:
    """Write a vintage's base map data (:func:`base_geojson`) as one JSON file the app serves,
    and return its URL (:func:`write_static_json`)."""
    districts, outlines, labels = base_geojson(boundaries)
    return write_static_json(
        f"base-{boundaries.vintage}", {"districts": districts, "outlines": outlines, "labels": labels}, folder
    )


def write_details(arrangements: pd.DataFrame, folder: Path | None = None) -> str:
    """Write every arrangement's popup (its details and all its sources, as escaped HTML) keyed
    by arrangement id as one JSON file the app serves, and return its URL. A line on the map
    carries only its id; the browser fetches this file once and builds the popup on a click."""
    details = {str(row["arrangement_id"]): popup_html(arrangement_popup(row)) for _, row in arrangements.iterrows()}
    return write_static_json("details", details, folder)


def popup_html(fields: dict[str, str]) -> str:
    """A popup's fields (:func:`arrangement_popup`, already escaped) as the popup's table."""
    rows = "".join(f"<tr><th>{html.escape(POPUP_FIELDS[name])}</th><td>{fields[name]}</td></tr>" for name in POPUP_FIELDS)
    return f"<table>{rows}</table>"


def write_static_json(prefix: str, payload, folder: Path | None = None) -> str:
    """Write ``payload`` as a JSON file under ``static/`` and return its URL. The file's name
    carries a digest of its content, so a browser never keeps a stale copy and a shared cache
    never mixes two tables. Written atomically; an identical file already there is kept."""
    text = json.dumps(payload, separators=(",", ":"))
    name = f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    folder = Path(folder or settings.BASE_LAYER_DIR)
    target = folder / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".part", delete=False, encoding="utf-8") as part:
            part.write(text)
        os.replace(part.name, target)
    return f"{vendor.STATIC_URL}/{folder.relative_to(settings.STATIC_DIR).as_posix()}/{name}"


def base_map(base_url: str, details_url: str = "", *, tiles: bool = False) -> folium.Map:
    """The map of one vintage: its councils, county outlines and names come from ``base_url``
    (:func:`write_base_layer`), the lines' popups from ``details_url`` (:func:`write_details`);
    the links and the selection are added as layers."""
    return offline_map(tiles=tiles, base_url=base_url, details_url=details_url)


def links_layer(
    links: pd.DataFrame,
    arrangements: pd.DataFrame,
    council_names: pd.Series | None = None,
    focus: set[str] | None = None,
    *,
    straight: bool = False,
) -> folium.FeatureGroup:
    """One feature per arrangement and kind of link (crossing a county line or not), and a node
    per council at the point where its links meet.

    Colour by the family of the arrangement's first service, width by how many services it
    shares; links that cross a county line are drawn solid and wider, the others dashed. A click
    on a line opens the arrangement's details and sources; a click on a node selects its council
    (``council_names``, code -> name, names the nodes). With ``focus`` (arrangement ids, e.g. the
    selected council's), every other link fades. ``straight`` draws straight lines (a smaller
    file, for an export).
    """
    group = folium.FeatureGroup(name="partnerships")
    if links.empty:
        return group
    details = arrangements.set_index("arrangement_id")
    arcs = link_arcs(links, points=2 if straight else ARC_POINTS, bend=fanned_bends(links))
    frame = pd.DataFrame(
        {
            "arrangement_id": links["arrangement_id"].to_numpy(),
            "cross": links["cross_county"].to_numpy(dtype=bool),
            "arc": [[[round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)] for lat, lon in line] for line in arcs],
        }
    )
    features: list[dict] = []
    for (arrangement_id, cross), group_rows in frame.groupby(["arrangement_id", "cross"], sort=False):
        row = details.loc[arrangement_id]
        services = _services(row["services"])
        colour = FAMILY_OF.get(services[0], FAMILY_OF["other"])[1] if services else FAMILY_OF["other"][1]
        weight = 1.5 + 0.7 * min(len(services), 6) + (1.5 if cross else 0)
        faded = focus is not None and arrangement_id not in focus
        features.append(
            {
                "type": "Feature",
                "id": len(features),
                "geometry": {"type": "MultiLineString", "coordinates": list(group_rows["arc"])},
                "properties": {
                    "aid": str(arrangement_id),
                    "name": html.escape(str(row["name"])),
                    "color": FADED if faded else colour,
                    "weight": round(weight * (0.6 if faded else 1), 1),
                    "opacity": 0.35 if faded else 0.95,
                    "dash": None if cross else "6 4",
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {
            "color": f["properties"]["color"],
            "weight": f["properties"]["weight"],
            "opacity": f["properties"]["opacity"],
            "dashArray": f["properties"]["dash"],
        },
        highlight_function=lambda f: {"weight": f["properties"]["weight"] + 3, "opacity": 1},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False, sticky=False),
        on_each_feature=LINE_POPUP,
        zoom_on_click=False,
    ).add_to(group)
    nodes_layer(links, council_names, focus_codes=None if focus is None else _codes_in(links, focus)).add_to(group)
    return group


#: A click on a line opens its arrangement's popup, from the details the map fetched once.
LINE_POPUP = folium.JsCode("""
function (feature, layer) {
  layer.on("click", function (event) {
    var map = layer._map;
    (window.arrangementDetails || Promise.resolve({})).then(function (details) {
      var content = details[feature.properties.aid];
      if (content && map) { L.popup({maxWidth: 420}).setLatLng(event.latlng).setContent(content).openOn(map); }
    });
  });
}
""")

#: The colour of links that are not the selected council's.
FADED = "#9aa3ad"
#: Radius of a council's node, pixels.
NODE_RADIUS = 6


def nodes_layer(links: pd.DataFrame, council_names: pd.Series | None, focus_codes: set[str] | None = None) -> folium.GeoJson:
    """A small round marker at each council's end of its links: the council's own click target.

    Every link of a council ends at one point (its representative point, WGS84), so a click
    there would otherwise open a link; the node, drawn above the links, selects the council.
    """
    ends = (
        pd.concat(
            [
                links[["code_a", "lat_a", "lon_a"]].set_axis(["code", "lat", "lon"], axis=1),
                links[["code_b", "lat_b", "lon_b"]].set_axis(["code", "lat", "lon"], axis=1),
            ]
        )
        .dropna(subset=["code"])
        .drop_duplicates("code")
    )
    names = council_names if council_names is not None else pd.Series(dtype=str)
    features = [
        {
            "type": "Feature",
            "id": number,
            "geometry": {"type": "Point", "coordinates": [round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)]},
            "properties": {
                "node": code,
                "tip": html.escape(str(names.get(code, code))),
                **({"faded": 1} if focus_codes is not None and code not in focus_codes else {}),
            },
        }
        for number, (code, lat, lon) in enumerate(ends.itertuples(index=False))
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="council nodes",
        marker=folium.CircleMarker(radius=NODE_RADIUS, fill=True),
        style_function=lambda f: {
            "color": FADED if "faded" in f["properties"] else COUNTY_LINE,
            "weight": 1.5,
            "fillColor": "#ffffff",
            "fillOpacity": 1,
            "radius": NODE_RADIUS,
            "opacity": 0.6 if "faded" in f["properties"] else 1,
            "className": "council-node",
        },
        highlight_function=lambda _: {"weight": 3, "fillColor": "#f2b134"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=False),
        zoom_on_click=False,
    )


def _codes_in(links: pd.DataFrame, arrangement_ids: set[str]) -> set[str]:
    mine = links[links["arrangement_id"].isin(arrangement_ids)]
    return set(mine["code_a"].dropna()) | set(mine["code_b"].dropna())


#: More arrangements than this are drawn as bundles: one line per pair of places.
BUNDLE_ABOVE = 1000
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
    bundles = grouped.agg(
        count=("arrangement_id", "nunique"), cross=("cross_county", "max"), code_a=("code_a", "first"), code_b=("code_b", "first")
    )
    bundles = bundles.nlargest(MAX_BUNDLES, "count").reset_index()
    members = keyed.merge(bundles[ends], on=ends).drop_duplicates([*ends, "arrangement_id"])
    listed_ids = members.groupby(ends, sort=False)["arrangement_id"].agg(lambda ids: list(ids[:8]))
    bundles["ids"] = bundles.set_index(ends).index.map(listed_ids)
    arcs = link_arcs(bundles, points=ARC_POINTS)
    features = []
    for number, row in bundles.iterrows():
        between = " and ".join(
            html.escape(str(council_names.get(c, "the partnership's centre"))) for c in (row["code_a"], row["code_b"])
        )
        titles = "<br>".join(html.escape(str(names.get(i, i))) for i in row["ids"][:8])
        more = f"<br>… and {row['count'] - 8} more; filter to see each one" if row["count"] > 8 else ""
        features.append(
            {
                "type": "Feature",
                "id": number,
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)] for lat, lon in arcs[number]],
                },
                "properties": {
                    "tip": f"{row['count']} arrangement{'s' if row['count'] != 1 else ''} between {between}",
                    "arrangements": titles + more,
                    "weight": round(1.0 + 1.2 * np.log2(row["count"] + 1), 1),
                    "opacity": 0.85 if row["cross"] else 0.4,
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {
            "color": "#3b4450",
            "weight": f["properties"]["weight"],
            "opacity": f["properties"]["opacity"],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["tip", "arrangements"], labels=False, max_width=420),
        zoom_on_click=False,
    ).add_to(group)
    return group


def highlight_layer(boundaries: Vintage, selected: str, partners: list[str], *, labelled: int = 40) -> folium.FeatureGroup:
    """The selected council and its partners (or, with no selection, the places a view is about)
    stand out with their names; everything else fades behind a veil.

    At most ``labelled`` names are drawn: the selected council's first, then the largest areas.
    """
    group = folium.FeatureGroup(name="selection")
    councils = boundaries.councils.set_index("code")
    if selected and selected not in councils.index:
        return group
    partner_codes = [c for c in dict.fromkeys(partners) if c in councils.index and c != selected]
    if not selected and not partner_codes:
        return group
    codes = ([selected] if selected else []) + partner_codes
    shown = councils.loc[codes]
    veil = shapely.difference(shapely.box(-30, 40, 30, 70), shapely.union_all(shown.geometry.values))
    folium.GeoJson(
        gpd.GeoSeries([veil], crs=boundaries.districts.crs).to_json(),
        style_function=lambda _: {"fillColor": "#ffffff", "fillOpacity": 0.6, "stroke": False},
        interactive=False,
    ).add_to(group)
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "role": (["selected"] if selected else []) + ["partner"] * len(partner_codes),
        },
        geometry=shown.geometry.values,
        crs=boundaries.districts.crs,
    )
    folium.GeoJson(
        frame.to_json(drop_id=True),
        style_function=lambda f: {
            "fillColor": "#f2b134" if f["properties"]["role"] == "selected" else "#8cc1e8",
            "fillOpacity": 0.55,
            "color": "#1b1f24",
            "weight": 2.5 if f["properties"]["role"] == "selected" else 1.2,
            "className": f"{f['properties']['role']} council-{f['properties']['code']}",
        },
        interactive=False,
    ).add_to(group)
    by_size = shown.assign(first=[c == selected for c in codes]).sort_values(["first", "area_km2"], ascending=False)
    for code, row in by_size.head(labelled).iterrows():
        folium.Marker(
            [row["lat"], row["lon"]],
            icon=folium.DivIcon(
                html=f'<span class="council-label strong" data-code="{html.escape(code)}">{html.escape(str(row["name"]))}</span>',
                class_name="council-label-anchor",
                icon_size=None,
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    return group


POPUP_FIELDS = {
    "name": "Arrangement",
    "councils": "Councils",
    "services": "Services",
    "when": "When",
    "savings": "Stated savings",
    "about": "About",
    "reorganisation": "By April 2028",
    "sources": "Sources",
    "checked": "Last checked",
}


def arrangement_popup(row: pd.Series) -> dict[str, str]:
    """The fields of an arrangement's popup, as HTML; every value from the data is escaped.

    The popup lays them out as a table (labels from ``POPUP_FIELDS``); only the sources carry
    markup of their own: links to the pages that state the arrangement.
    """
    description = str(row.get("description", "") or "").strip()
    if len(description) > POPUP_DESCRIPTION_CHARS:
        description = description[:POPUP_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
    urls = _urls(row.get("source_urls", ""))
    sources = " ".join(
        f'<a href="{html.escape(url, quote=True)}" target="_blank">'
        f"{html.escape(urlparse(url).netloc.removeprefix('www.') or url)}</a>"
        for url in urls
    )
    return {
        "name": html.escape(str(row["name"])),
        "councils": html.escape(str(row.get("council_names", row.get("councils", "")))),
        "services": html.escape(", ".join(_service_labels(row["services"]))),
        "when": html.escape(f"{_years(row)}, {row.get('status', '')}{_as_of(row)}"),
        "savings": html.escape(_savings(row)) or "no savings stated",
        "about": html.escape(description),
        "reorganisation": html.escape(str(row.get("reorganisation", "") or "unaffected")),
        "sources": sources or "none given",
        "checked": html.escape(_checked(row)),
    }


def arrangement_card(row: pd.Series) -> str:
    """An arrangement as a short HTML card for the side panel; every value escaped."""
    fields = arrangement_popup(row)
    about = html.escape(str(row.get("description", "") or ""))
    return (
        f"<div style='margin-bottom:0.8rem'><b>{fields['name']}</b><br>"
        f"<span style='color:#555'>{fields['when']} · {fields['services']}</span><br>"
        f"{fields['councils']}<br><span style='font-size:0.9em'>{about}</span><br>"
        f"<span style='font-size:0.9em'>Stated savings: {fields['savings']}</span><br>"
        f"<span style='font-size:0.9em'>Sources: {fields['sources']} · last checked {fields['checked']}</span></div>"
    )


def legend_items(arrangements: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """(label, colour) for the map's legend, one per family of services; with ``arrangements``,
    only the families whose colour those arrangements' lines are drawn in."""
    if arrangements is None:
        return [(label, colour) for label, colour, _ in SERVICE_FAMILIES]
    used = {FAMILY_OF.get((_services(cell) or ["other"])[0], FAMILY_OF["other"]) for cell in arrangements["services"]}
    return [(label, colour) for label, colour, _ in SERVICE_FAMILIES if (label, colour) in used]


def legend_html(arrangements: pd.DataFrame | None = None, *, compact: bool = False) -> str:
    """The legend as HTML: a swatch per family of services shown, then what the lines mean.

    ``compact`` puts it on one or two lines, for a slide.
    """
    swatch = (
        "<span style='display:inline-block;width:22px;height:4px;background:{};vertical-align:middle;margin-right:6px'></span>{}"
    )
    items = [
        swatch.format(colour, html.escape(label.split(":")[0] if compact else label))
        for label, colour in legend_items(arrangements)
    ]
    lines = (
        "━ solid: the councils are in different top-tier areas (a county, or a unitary council, "
        "London borough or metropolitan borough, which is its own) · ╌ dashed: within one county · "
        "thicker: more services shared · ○ a council (click it)"
    )
    if compact:
        return (
            "<div style='font-size:0.85rem;line-height:1.6'>"
            + " &nbsp; ".join(items)
            + "<br>━ different top-tier areas · ╌ within one county · ○ a council</div>"
        )
    return (
        "".join(f"<div>{item}</div>" for item in items)
        + f"<div style='margin-top:6px;font-size:0.9em'>{lines.replace(' · ', '<br>')}<br>"
        "Large partnerships are drawn from their lead council (or centre).</div>"
    )


def _services(cell) -> list[str]:
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [str(s) for s in cell]
    return [s for s in str(cell or "").split(";") if s]


@functools.cache
def _category_labels() -> dict[str, str]:
    categories = load_categories()
    return dict(zip(categories["category_id"], categories["label"]))


def _service_labels(cell) -> list[str]:
    labels = _category_labels()
    return [labels.get(s, s.replace("_", " ")) for s in _services(cell)]


def _as_of(row: pd.Series) -> str:
    value = row.get("status_as_of")
    return "" if value is None or pd.isna(value) or not str(value).strip() else f" (last confirmed {value})"


def _checked(row: pd.Series) -> str:
    value = row.get("last_checked")
    return "not recorded" if value is None or pd.isna(value) or not str(value).strip() else str(value)[:10]


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


def partnership_layers(
    boundaries: Vintage, shown: Shown, council_names: pd.Series, selected: str = "", places: list[str] | None = None
) -> tuple[list[folium.FeatureGroup], bool]:
    """The layers the map adds over its base for what ``shown`` holds, and
    whether the links are bundled (too many arrangements to draw one by one).

    With a ``selected`` council, it and its partners are highlighted and every other link fades;
    without one, ``places`` (e.g. a slide's councils) are highlighted.
    """
    bundled = len(shown.arrangements) > BUNDLE_ABOVE
    if bundled:
        drawn = [bundled_links_layer(shown.drawn_links, shown.arrangements, council_names)]
    else:
        focus = set(arrangements_of(shown, selected)["arrangement_id"]) if selected else None
        drawn = [links_layer(shown.drawn_links, shown.arrangements, council_names, focus)]
    if selected:
        drawn.insert(0, highlight_layer(boundaries, selected, partners(shown, selected)))
    elif places:
        drawn.insert(0, highlight_layer(boundaries, "", places))
    return drawn, bundled


def should_fit(places: tuple, previous: tuple | None, *, first_visit: bool, has_rows: bool) -> bool:
    """Whether the map moves to show the filters' places: when the choice of places (regions,
    counties, search, one arrangement) changes, or a link without a centre names some; never
    for no rows or no choice of places."""
    if not has_rows or not any(places):
        return False
    return first_visit or previous not in (None, places)


def reorganisation_line(arrangements: pd.DataFrame) -> str:
    """What the decided reorganisation does to these arrangements, in one line ("" if nothing):
    e.g. ``By April 2028: 3 become internal · 2 partly merged · 6 cross the new boundaries``."""
    if "reorganisation" not in arrangements:
        return ""
    counts = arrangements["reorganisation"].value_counts()
    words = {
        "becomes internal": "become internal",
        "partly merged": "partly merged",
        "crosses the new boundaries": "cross the new boundaries",
    }
    parts = [f"{int(counts[o])} {words[o]}" for o in words if counts.get(o, 0)]
    return ("By April 2028: " + " · ".join(parts)) if parts else ""
