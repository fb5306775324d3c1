"""The layers that change with the filters and the selection: links (arcs between councils,
fanned where they share ends), council nodes, bundled lines for very many arrangements, the
highlight of the selected council and its partners."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from sharedservices.columns import is_in
from sharedservices.filters import Shown, arrangements_of, partners
from sharedservices.links import ARC_DECIMALS, ARC_POINTS, fanned_bends, link_arcs
from sharedservices.mapview.cards import NAME_CHARS, map_html, shortened
from sharedservices.mapview.style import COUNTY_LINE, FADED, FAMILY_OF, NODE_RADIUS, services_of
from sharedservices.vintages import Vintage


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
    details = dict(zip(arrangements["arrangement_id"], zip(arrangements["name"], arrangements["services"])))
    if straight:
        arcs = link_arcs(links, points=2, bend=0.0, decimals=ARC_DECIMALS, lon_first=True)
    elif "arc" in links:  # made once per workspace (links.map_arcs)
        arcs = links["arc"]
    else:
        arcs = link_arcs(links, points=ARC_POINTS, bend=fanned_bends(links), decimals=ARC_DECIMALS, lon_first=True)
    # One feature per arrangement and kind of link, in the order the links come.
    lines: dict[tuple[str, bool], list] = {}
    for arrangement_id, cross, arc in zip(links["arrangement_id"], links["cross_county"].to_numpy(dtype=bool), arcs):
        lines.setdefault((arrangement_id, bool(cross)), []).append(arc)
    features: list[dict] = []
    for (arrangement_id, cross), coordinates in lines.items():
        name, services_cell = details[arrangement_id]
        services = services_of(services_cell)
        colour = FAMILY_OF.get(services[0], FAMILY_OF["other"])[1] if services else FAMILY_OF["other"][1]
        weight = 1.5 + 0.7 * min(len(services), 6) + (1.5 if cross else 0)
        faded = focus is not None and arrangement_id not in focus
        features.append(
            {
                "type": "Feature",
                "id": len(features),
                "geometry": {"type": "MultiLineString", "coordinates": coordinates},
                "properties": {
                    "aid": str(arrangement_id),
                    "tip": map_html(shortened(str(name), NAME_CHARS)),
                    "color": FADED if faded else colour,
                    "weight": round(weight * (0.6 if faded else 1), 1),
                    "opacity": 0.35 if faded else 0.95,
                    "dash": None if cross else "6 4",
                },
            }
        )
    DataLayer(features, "lines").add_to(group)
    nodes_layer(links, council_names, focus_codes=None if focus is None else _codes_in(links, focus)).add_to(group)
    return group


class DataLayer(MacroElement):
    """A Leaflet GeoJSON layer of features whose properties carry their own style (``color``,
    ``weight``, ``opacity``, ``dash``; ``faded`` for a node) and tooltip (``tip``, escaped HTML).

    folium's GeoJson computes a style per feature in Python, writes the data twice and has its
    output compiled as a Jinja template on every run; this writes the features once, as compact
    JSON, and styles them in the browser. ``kind`` is "lines" (links: hover widens them, a click
    opens the arrangement's popup) or "nodes" (a round marker per council).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = L.geoJSON({{ this.payload }}, {
      {% if this.kind == "nodes" %}
      pointToLayer: function (feature, latlng) {
        var faded = feature.properties.faded;
        return L.circleMarker(latlng, {radius: {{ this.radius }}, color: faded ? "{{ this.faded }}" : "{{ this.line }}",
          weight: 1.5, fillColor: "#ffffff", fillOpacity: 1, opacity: faded ? 0.6 : 1, className: "council-node"});
      },
      {% else %}
      style: function (feature) {
        var p = feature.properties;
        return {color: p.color, weight: p.weight, opacity: p.opacity, dashArray: p.dash};
      },
      {% endif %}
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.tip, {sticky: false});
        {% if this.kind == "nodes" %}
        layer.on("mouseover", function () { layer.setStyle({weight: 3, fillColor: "#f2b134"}); });
        layer.on("mouseout", function () { layer.setStyle({weight: 1.5, fillColor: "#ffffff"}); });
        {% else %}
        layer.on("mouseover", function () { layer.setStyle({weight: feature.properties.weight + 3, opacity: 1}); });
        layer.on("mouseout", function () { {{ this.get_name() }}.resetStyle(layer); });
        ({{ this.on_click }})(feature, layer);
        {% endif %}
      }
    }).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, features: list[dict], kind: str = "lines"):
        super().__init__()
        self._name = "DataLayer"
        self.kind = kind
        self.data = {"type": "FeatureCollection", "features": features}
        # Compact, with "</" and any "{" that would open a Jinja tag written as JSON escapes.
        text = json.dumps(self.data, separators=(",", ":"), ensure_ascii=False)
        self.payload = re.sub(r"\{(?=[{%#])", r"\\u007b", text.replace("</", "<\\/"))
        self.on_click = LINE_POPUP.js_code
        self.radius, self.faded, self.line = NODE_RADIUS, FADED, COUNTY_LINE

    def render(self, **kwargs) -> str:
        """Write the script into the page once, as it is (not compiled again as a template)."""
        page = self.get_root()
        if not isinstance(page, Figure):
            raise TypeError("A DataLayer is drawn on a map, inside a page (a branca Figure).")
        page.script.add_child(_Verbatim(self._template.module.__dict__["script"](self, kwargs)), name=self.get_name())
        return ""


class _Verbatim(Element):
    """Text a page includes as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


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


def nodes_layer(links: pd.DataFrame, council_names: pd.Series | None, focus_codes: set[str] | None = None) -> DataLayer:
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
    names = dict(council_names.items()) if council_names is not None else {}
    features = [
        {
            "type": "Feature",
            "id": number,
            "geometry": {"type": "Point", "coordinates": [round(lon, ARC_DECIMALS), round(lat, ARC_DECIMALS)]},
            "properties": {
                "node": code,
                "tip": map_html(str(names.get(code, code))),
                **({"faded": 1} if focus_codes is not None and code not in focus_codes else {}),
            },
        }
        for number, (code, lat, lon) in enumerate(ends.itertuples(index=False))
    ]
    return DataLayer(features, "nodes")


def _codes_in(links: pd.DataFrame, arrangement_ids: set[str]) -> set[str]:
    mine = links[is_in(links["arrangement_id"], arrangement_ids)]
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
    names = dict(zip(arrangements["arrangement_id"], arrangements["name"]))
    places = dict(council_names.items())
    ends = ["lon_a", "lat_a", "lon_b", "lat_b"]
    keyed = links[["arrangement_id", "code_a", "code_b", "cross_county", *ends]].copy()
    keyed[ends] = keyed[ends].round(4)
    grouped = keyed.groupby(ends, sort=False)
    bundles = grouped.agg(
        count=("arrangement_id", "nunique"), cross=("cross_county", "max"), code_a=("code_a", "first"), code_b=("code_b", "first")
    )
    bundles = bundles.nlargest(MAX_BUNDLES, "count").reset_index()
    members = keyed.merge(bundles[ends], on=ends).drop_duplicates([*ends, "arrangement_id"])
    listed: dict[tuple, list[str]] = {}
    for *place, arrangement_id in members[[*ends, "arrangement_id"]].itertuples(index=False):
        first_ids = listed.setdefault(tuple(place), [])
        if len(first_ids) < 8:
            first_ids.append(arrangement_id)
    arcs = link_arcs(bundles, points=ARC_POINTS, decimals=ARC_DECIMALS, lon_first=True)
    features = []
    rows = zip(
        bundles[ends].itertuples(index=False, name=None), bundles["count"], bundles["cross"], bundles["code_a"], bundles["code_b"]
    )
    for number, (place, count, cross, code_a, code_b) in enumerate(rows):
        between = " and ".join(map_html(str(places.get(c, "the partnership's centre"))) for c in (code_a, code_b))
        titles = "<br>".join(map_html(shortened(str(names.get(i, i)), NAME_CHARS)) for i in listed[place])
        more = f"<br>… and {count - 8} more; filter to see each one" if count > 8 else ""
        features.append(
            {
                "type": "Feature",
                "id": number,
                "geometry": {"type": "LineString", "coordinates": arcs[number]},
                "properties": {
                    "tip": f"{count} arrangement{'s' if count != 1 else ''} between {between}",
                    "arrangements": titles + more,
                    "weight": round(1.0 + 1.2 * np.log2(count + 1), 1),
                    "opacity": 0.85 if cross else 0.4,
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
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(veil)), "properties": {}},
        style_function=lambda _: {"fillColor": "#ffffff", "fillOpacity": 0.6, "stroke": False},
        interactive=False,
    ).add_to(group)
    roles = (["selected"] if selected else []) + ["partner"] * len(partner_codes)
    frame = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(shape), "properties": {"code": code, "role": role}}
            for code, role, shape in zip(codes, roles, shapely.to_geojson(shown.geometry.values), strict=True)
        ][::-1],  # the selected council last, so it lies above a partner county that holds it
    }
    folium.GeoJson(
        frame,
        style_function=lambda f: {
            "fillColor": "#f2b134" if f["properties"]["role"] == "selected" else "#8cc1e8",
            "fillOpacity": 0.8 if f["properties"]["role"] == "selected" else 0.55,
            "color": "#1b1f24",
            "weight": 2.5 if f["properties"]["role"] == "selected" else 1.2,
            "className": f"{f['properties']['role']} council-{f['properties']['code']}",
        },
        interactive=False,
    ).add_to(group)
    by_size = shown.assign(first=[c == selected for c in codes]).sort_values(["first", "area_km2"], ascending=False)
    labels = by_size.head(labelled)
    StrongLabels(
        [
            {
                "code": code,
                "name": map_html(str(name)),
                "lat": round(float(lat), ARC_DECIMALS),
                "lon": round(float(lon), ARC_DECIMALS),
            }
            for code, name, lat, lon in zip(labels.index, labels["name"], labels["lat"], labels["lon"])
        ]
    ).add_to(group)
    return group


class StrongLabels(MacroElement):
    """Names drawn in bold over the map (``labels``: code, name, lat, lon in WGS84 degrees), as one
    script: the template is compiled once, not once per name; names come escaped (``cards.map_html``)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
    {{ this.labels|tojson }}.forEach(function (item) {
      var label = document.createElement("span");
      label.className = "council-label strong";
      label.dataset.code = item.code;
      label.innerHTML = item.name;  // escaped in Python (cards.map_html)
      L.marker([item.lat, item.lon], {
        icon: L.divIcon({html: label, className: "council-label-anchor", iconSize: null}),
        interactive: false, keyboard: false}).addTo({{ this._parent.get_name() }});
    });
{% endmacro %}"""
    )

    def __init__(self, labels: list[dict]):
        super().__init__()
        self._name = "StrongLabels"
        self.labels = labels


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
