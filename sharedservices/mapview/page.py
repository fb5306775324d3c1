"""The map page itself: the folium map with the app's own Leaflet (no CDN), its behaviour in the
browser (clicks, fitting, keyboard, lazy popups), and the JSON files the browser fetches (the base
layer of councils and outlines, the arrangements' details), written once and atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import branca.element
import folium
import jinja2
import pandas as pd
import shapely

from sharedservices import settings, vendor
from sharedservices.links import ARC_DECIMALS
from sharedservices.mapview.cards import arrangement_popup, popup_html
from sharedservices.mapview.layers import LinkTables, link_table
from sharedservices.mapview.style import BOUNDARY, COUNTY_LINE, LAND, MAX_ZOOM, MIN_MAP_PX, MIN_ZOOM, SEA, SETTLE_MS
from sharedservices.viewstate import DEFAULT_CENTER, DEFAULT_ZOOM
from sharedservices.vintages import Vintage
from sharedservices.workspace import Workspace

#: County outlines are simplified by this much, degrees (about 200 m).
OUTLINE_TOLERANCE = 0.002
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
    location=DEFAULT_CENTER,
    zoom: float = DEFAULT_ZOOM,
    tiles: bool = False,
    base_url: str = "",
    details_url: str = "",
    follow_window: bool = True,
) -> folium.Map:
    """An empty folium map whose scripts and styles come from the app itself, not a CDN.

    With ``tiles`` an OpenStreetMap background is added for users who are online; ``base_url``
    is where the browser fetches the councils, outlines and names (:func:`write_base_layer`);
    ``follow_window`` as in :class:`MapBehaviour`.
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
    MapBehaviour(base_url, details_url, tiles=tiles, follow_window=follow_window).add_to(figure)
    return figure


class MapBehaviour(folium.MacroElement):
    """The map's behaviour in the page, as a script run once when the map is drawn.

    - The map's frame is as tall as the window leaves room for (never below ``MIN_MAP_PX``), so
      a click never scrolls the page under the mouse; Leaflet's focus on mouse-down does not
      scroll the page either. With ``follow_window`` off (a small map among other content, as on
      a council's profile) the frame keeps the height the page gives it.
    - Tooltips close when the mouse leaves the map; map shapes stay out of the tab order.
    - The councils, county outlines and names are fetched from ``base_url`` (a static file per
      vintage, so the page sends it once and the browser caches it) and drawn below the links.
      Names are set as text, never as HTML.
    - Labels: a council's name shows only at the zoom where its area is wide enough for it
      (``data-span``, degrees of longitude) and no bold name lies over it; a ``strong`` label (the
      selection and its partners) takes the first free place around its council's point (below,
      above, right, left, then the four corners, inside the map, sliding inward at its edge) and
      hides only when all eight are taken by earlier ones.
    - A line's popup (its arrangement's details and sources) comes from ``details_url``, fetched
      once, after the map is drawn (or at the first click on a line); the lines carry only their
      arrangement's id.
    - In presentation mode (the page has the presentation buttons) the arrow keys and Escape
      press Back, Next and Exit even when the map has the keyboard focus.
    - A click is reported to the app at once, not after streamlit-folium's 250 ms debounce.
    - Until a person touches the map, its own reports (it moved, it gained layers) are held and
      the last one sent when they pause for ``SETTLE_MS``: one rerun after the map is drawn.
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
  if ({{ this.follow_window_json }}) {
    fit();
    // The page above the map changes as the user works (a slide's title, a notice): follow it.
    setInterval(fit, 250);
  }
  // A line's popup is built on a click from the details file, fetched once (LINE_POPUP below).
  // A URL starting with "#" names a script element of the page holding gzipped JSON in base64
  // (a map saved as one file, exports.standalone_html).
  function load(url) {
    if (url.charAt(0) === "#") {
      var packed = atob(document.getElementById(url.slice(1)).textContent.trim());
      var bytes = Uint8Array.from(packed, function (c) { return c.charCodeAt(0); });
      return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
    }
    return fetch(url).then(function (response) { return response.json(); });
  }
  // Fetched on the first click on a line, or soon after the map is drawn, whichever is first:
  // the page draws the map before it downloads every arrangement's details.
  var detailsUrl = {{ this.details_url_json }}, details = null;
  window.arrangementDetails = function () {
    return details || (details = detailsUrl ? load(detailsUrl) : Promise.resolve({}));
  };
  // A name is placed by a flat (2D) translate, not Leaflet's 3D one: a 3D transform gives each of
  // the ~360 names its own compositing layer, and the browser rebuilds them all on every frame.
  L.NameMarker = L.Marker.extend({
    _setPos: function (pos) {
      L.Marker.prototype._setPos.call(this, pos);
      this._icon.style.transform = "translate(" + pos.x + "px," + pos.y + "px)";
    }
  });
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
        names.addLayer(new L.NameMarker([item[2], item[3]], {
          icon: L.divIcon({html: label, className: "council-label-anchor", iconSize: null}),
          interactive: false, keyboard: false, pane: "tooltipPane"}));
      });
      map.getContainer().dataset.base = "drawn";
      settle();
      setTimeout(window.arrangementDetails, 1500);
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
    // The map's controls (zoom buttons, scale bar, attribution) count as taken places: no name
    // is drawn under them.
    var scale = 256 * Math.pow(2, map.getZoom()) / 360, strong = {};
    var placed = Array.prototype.map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (control) {
      return control.getBoundingClientRect();
    });
    // Bold names (the selection first, then the largest areas) take the first free place around
    // their point (below it, above, right, left, then its corners; near the map's edge a place
    // slides inward by up to half the name's width) and give way to the names already shown.
    var frameBox = map.getContainer().getBoundingClientRect();
    function within(low, value, size, high, slack) {  // value moved inside [low, high - size], or NaN
      var moved = Math.min(Math.max(value, low), high - size);
      return Math.abs(moved - value) <= slack ? moved : NaN;
    }
    document.querySelectorAll(".council-label.strong").forEach(function (label, number) {
      strong[label.dataset.code] = true;
      label.style.transform = "";
      label.style.visibility = "visible";
      var below = label.getBoundingClientRect(), w = below.width, h = below.height;
      var x = below.left + w / 2, y = below.top - 6;  // the council's point; the name's own corner
      var places = [
        [x - w / 2, y + 6], [x - w / 2, y - 6 - h], [x + 8, y - h / 2], [x - 8 - w, y - h / 2],
        [x, y + 6], [x - w, y + 6], [x, y - 6 - h], [x - w, y - 6 - h]
      ].map(function (p) {
        var left = within(frameBox.left, p[0], w, frameBox.right, w / 2);
        var top = within(frameBox.top, p[1], h, frameBox.bottom, 0);
        return {left: left, top: top, right: left + w, bottom: top + h};
      });
      var free = places.filter(function (box) { return !isNaN(box.left + box.top) && !clashes(box); })[0];
      if (number === 0) {  // the selected council is always named
        free = free || places.filter(function (box) { return !isNaN(box.left + box.top); })[0];
      }
      if (!free) { label.style.visibility = "hidden"; return; }
      label.style.transform = "translate(" + (free.left - x) + "px," + (free.top - y) + "px)";
      placed.push(free);
    });
    // Names keep a word's space from each other (names flush on one line read as one name).
    function clashes(box) {
      return placed.some(function (o) {
        return box.left < o.right + 4 && o.left < box.right + 4 && box.top < o.bottom && o.top < box.bottom;
      });
    }
    var fitting = [];
    document.querySelectorAll(".council-label:not(.strong)").forEach(function (label) {
      var fits = !strong[label.dataset.code] && label.dataset.span * scale > 9 * label.textContent.length + 24;
      label.style.visibility = fits ? "visible" : "hidden";
      if (fits) { fitting.push(label); }
    });
    // A name that fits its own area still gives way to a bold name over it: every box is read
    // first, then hidden, so the page lays out once.
    fitting.map(function (label) { return label.getBoundingClientRect(); }).forEach(function (box, number) {
      if (clashes(box)) { fitting[number].style.visibility = "hidden"; }
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
  // The map reports where it is whenever it moves or gains layers. Until a person touches it,
  // those reports come from the map settling (fitted to the window, its base layer added, a
  // commanded move): they are held and the last one is sent once they stop for
  // {{ this.settle_ms }} ms, so the app reruns once, after the map is drawn, not two or three
  // times while it draws. Once touched, every report is sent as streamlit-folium sends it.
  var component = window.Streamlit, touched = false;
  if (component && !component.heldWhileSettling) {
    var send = component.setComponentValue.bind(component), held = null, holding = null;
    component.heldWhileSettling = true;
    component.setComponentValue = function (value) {
      if (touched) { return send(value); }
      held = value;
      clearTimeout(holding);
      holding = setTimeout(function () { var value = held; held = null; if (value) { send(value); } }, {{ this.settle_ms }});
    };
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (name) {
      map.getContainer().addEventListener(name, function () {
        touched = true;  // what the person does next is reported, with where the map is
        held = null;
        clearTimeout(holding);
      }, true);
    });
  }
  // A click is sent at once. streamlit-folium sends what the map reports 250 ms after the last
  // event (a debounce meant for panning), which a person feels as lag after every click. This
  // sends the same report, built as the pinned streamlit-folium's updateComponentValue builds it,
  // as soon as the click's handlers have run; its own later send then finds nothing new and
  // sends nothing (test_a_click_is_reported_at_once_and_only_once fails if the two part).
  map.on("click", function () {
    touched = true;
    setTimeout(function () {
      var data = window.__GLOBAL_DATA__, streamlit = window.Streamlit;
      if (!data || !streamlit || !data.lat_lng_clicked) { return; }
      var wrap = function (point) { return point && data.wrap_longitude ? map.wrapLatLng(point) : point; };
      var bounds = map.getBounds();
      var report = {
        last_clicked: wrap(data.lat_lng_clicked), last_object_clicked: wrap(data.last_object_clicked),
        last_object_clicked_count: data.last_object_clicked_count, last_object_clicked_tooltip: data.last_object_clicked_tooltip,
        last_object_clicked_popup: data.last_object_clicked_popup, all_drawings: data.all_drawings,
        last_active_drawing: data.last_active_drawing, last_geocoder_result: data.last_geocoder_result,
        bounds: bounds && data.wrap_longitude ? map.wrapLatLngBounds(bounds) : bounds, zoom: map.getZoom(),
        last_circle_radius: data.last_circle_radius, last_circle_polygon: data.last_circle_polygon, center: wrap(map.getCenter()),
        selected_layers: Object.values(data.selected_layers || {}), selected_tags: data.selected_tags
      };
      var sent = data.returned_objects ? Object.fromEntries(Object.entries(report).filter(function (entry) {
        return data.returned_objects.includes(entry[0]);
      })) : report;
      if (JSON.stringify(sent) !== JSON.stringify(data.previous_data)) {
        data.previous_data = sent;
        streamlit.setComponentValue(sent);
      }
    }, 0);
  });
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
        self,
        base_url: str,
        details_url: str = "",
        *,
        tiles: bool = False,
        min_px: int = MIN_MAP_PX,
        margin_px: int = 12,
        follow_window: bool = True,
    ):
        super().__init__()
        self._name = "MapBehaviour"
        self.min_px, self.margin_px = min_px, margin_px
        self.follow_window_json = json.dumps(follow_window)
        self.settle_ms = SETTLE_MS
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


def write_link_tables(workspace: Workspace, folder: Path | None = None) -> LinkTables:
    """Write every link the workspace can draw as two JSON files the app serves (its drawn links
    and its pairs, :func:`layers.link_table`) and say where they are: the map fetches a table
    once, and a view sends only which of its links it shows."""
    names = workspace.boundaries.councils.set_index("code")["name"]
    drawn, pairs = (
        write_static_json(f"{kind}-{workspace.vintage}", link_table(links, workspace.arrangements, names), folder)
        for kind, links in (("links", workspace.drawn_links), ("pairs", workspace.pair_links))
    )
    return LinkTables(drawn, pairs, first_pair=len(workspace.drawn_links))


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


def base_map(base_url: str, details_url: str = "", *, tiles: bool = False, follow_window: bool = True) -> folium.Map:
    """The map of one vintage: its councils, county outlines and names come from ``base_url``
    (:func:`write_base_layer`), the lines' popups from ``details_url`` (:func:`write_details`);
    the links and the selection are added as layers."""
    return offline_map(tiles=tiles, base_url=base_url, details_url=details_url, follow_window=follow_window)


def fit_on_open(
    figure: folium.Map,
    boundaries: Vintage,
    codes: list[str],
    top_left_px: tuple[int, int] = (20, 20),
    bottom_right_px: tuple[int, int] = (20, 20),
) -> None:
    """Open ``figure`` fitted to the councils ``codes`` in whatever size the browser gives it,
    keeping the given room (pixels) at its corners. Not animated: an animated first zoom leaves
    parts of the map unpainted until it is moved."""
    councils = boundaries.councils.set_index("code")
    about = councils.loc[[code for code in codes if code in councils.index]]
    if about.empty:
        return
    west, south, east, north = about.total_bounds  # WGS84 degrees
    fit = folium.map.FitBounds([[south, west], [north, east]], padding_top_left=top_left_px, padding_bottom_right=bottom_right_px)
    fit.options["animate"] = False
    figure.add_child(fit)
