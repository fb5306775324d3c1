"""The layers that change with the filters and the selection: links (arcs between councils,
fanned where they share ends), council nodes, bundled lines for very many arrangements, the
highlight of the selected council and its partners."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

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

#: How much wider a line is drawn when it crosses a county line (px).
COUNTY_LINE_EXTRA_PX = 1.5


def line_style(services_cell) -> tuple[str, float]:
    """An arrangement's line: the colour of its first service's family, and a width (px) that
    grows with how many services it shares, before :data:`COUNTY_LINE_EXTRA_PX`."""
    services = services_of(services_cell)
    colour = FAMILY_OF.get(services[0], FAMILY_OF["other"])[1] if services else FAMILY_OF["other"][1]
    return colour, 1.5 + 0.7 * min(len(services), 6)


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
        colour, weight = line_style(services_cell)
        weight += COUNTY_LINE_EXTRA_PX if cross else 0
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


#: How the browser draws a layer of links or of council nodes (a Leaflet GeoJSON options
#: object): each feature's properties carry its style (``color``, ``weight``, ``opacity``,
#: ``dash``; ``faded`` for a node) and its tooltip (``tip``, escaped HTML).
_LAYER_OPTIONS = """{% macro options(this, kind, layer) %}{
      {% if kind == "nodes" %}
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
        {% if kind == "nodes" %}
        layer.on("mouseover", function () { layer.setStyle({weight: 3, fillColor: "#f2b134"}); });
        layer.on("mouseout", function () { layer.setStyle({weight: 1.5, fillColor: "#ffffff"}); });
        {% else %}
        layer.on("mouseover", function () { layer.setStyle({weight: feature.properties.weight + 3, opacity: 1}); });
        layer.on("mouseout", function () { {{ layer }}.resetStyle(layer); });
        ({{ this.on_click }})(feature, layer);
        {% endif %}
      }
    }{% endmacro %}"""


#: The browser's copy of a link table (:func:`link_table`), fetched once per page and URL.
_FETCH_TABLE = """{% macro fetch_table(url_json) %}(function (url) {
      var tables = window.linkTables = window.linkTables || {};
      tables[url] = tables[url] || fetch(url).then(function (answer) {
        if (!answer.ok) { throw new Error("The map's links could not be loaded (HTTP " + answer.status + ")."); }
        return answer.json();
      });
      return tables[url];
    })({{ url_json }}){% endmacro %}"""


def _script_json(payload) -> str:
    """``payload`` as compact JSON to write inside a page's script: "</" and any "{" that would
    open a Jinja tag written as JSON escapes."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text.replace("</", "<\\/"))


class _Layer(MacroElement):
    """A layer written into the page once, as it is (folium would compile it again as a template)."""

    def render(self, **kwargs) -> str:
        page = self.get_root()
        if not isinstance(page, Figure):
            raise TypeError("A layer of links is drawn on a map, inside a page (a branca Figure).")
        page.script.add_child(_Verbatim(self._template.module.__dict__["script"](self, kwargs)), name=self.get_name())
        return ""


class DataLayer(_Layer):
    """A Leaflet GeoJSON layer of features that carry their own style and tooltip
    (:data:`_LAYER_OPTIONS`), written into the page: for a map that must work on its own (an
    exported file). The app's map fetches its links instead (:class:`LinkView`).

    folium's GeoJson computes a style per feature in Python, writes the data twice and has its
    output compiled as a Jinja template on every run; this writes the features once, as compact
    JSON, and styles them in the browser. ``kind`` is "lines" (links: hover widens them, a click
    opens the arrangement's popup) or "nodes" (a round marker per council).
    """

    _template = Template(
        _LAYER_OPTIONS
        + """{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = L.geoJSON({{ this.payload }}, {{ options(this, this.kind, this.get_name()) }}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, features: list[dict], kind: str = "lines"):
        super().__init__()
        self._name = "DataLayer"
        self.kind = kind
        self.data = {"type": "FeatureCollection", "features": features}
        self.payload = _script_json(self.data)
        self.on_click = LINE_POPUP.js_code
        self.radius, self.faded, self.line = NODE_RADIUS, FADED, COUNTY_LINE


def link_table(links: pd.DataFrame, arrangements: pd.DataFrame, council_names: pd.Series) -> dict:
    """A workspace's links (its drawn links, or its pairs), as the table the app's map fetches
    once (:class:`LinkView`).

    ``first``: the ``link`` number of the first row; ``links``: one row per link in the order of
    its number, ``[arrangement, crosses a county line (0/1), node a, node b, line]``, the line as
    ``[lon, lat]`` pairs (WGS84) and a node -1 at a hub's centre; ``arrangements``:
    ``[id, name (escaped HTML), colour, width before the county-line extra (px)]``; ``nodes``:
    ``[code, lon, lat, name (escaped HTML)]``, one per council at the end of its links.
    """
    every = links.sort_values("link")
    rows = arrangements.reset_index(drop=True)
    number_of = {arrangement_id: number for number, arrangement_id in enumerate(rows["arrangement_id"])}
    table_arrangements = []
    for arrangement_id, name, services_cell in zip(rows["arrangement_id"], rows["name"], rows["services"]):
        colour, weight = line_style(services_cell)
        table_arrangements.append([str(arrangement_id), map_html(shortened(str(name), NAME_CHARS)), colour, round(weight, 1)])
    ends = pd.concat(
        [
            every[["code_a", "lat_a", "lon_a"]].set_axis(["code", "lat", "lon"], axis=1),
            every[["code_b", "lat_b", "lon_b"]].set_axis(["code", "lat", "lon"], axis=1),
        ]
    )
    ends = ends.dropna(subset=["code"]).drop_duplicates("code")
    names = dict(council_names.items())
    node_of = {code: number for number, code in enumerate(ends["code"])}
    nodes = [
        [code, round(float(lon), ARC_DECIMALS), round(float(lat), ARC_DECIMALS), map_html(str(names.get(code, code)))]
        for code, lat, lon in ends.itertuples(index=False)
    ]
    rows_out = [
        [number_of[arrangement_id], int(bool(cross)), node_of.get(code_a, -1), node_of.get(code_b, -1), arc]
        for arrangement_id, cross, code_a, code_b, arc in zip(
            every["arrangement_id"], every["cross_county"], every["code_a"], every["code_b"], every["arc"]
        )
    ]
    first = int(every["link"].iloc[0]) if len(every) else 0
    return {"first": first, "arrangements": table_arrangements, "nodes": nodes, "links": rows_out}


@dataclass(frozen=True)
class LinkTables:
    """Where the browser fetches a workspace's link tables (:func:`link_table`): its drawn links,
    and its pairs (numbered from ``first_pair``), which the crossing filters draw."""

    drawn_url: str
    pairs_url: str
    first_pair: int

    def url_for(self, links: pd.DataFrame) -> str:
        """The table that holds these links (all from one of the two)."""
        return self.pairs_url if len(links) and int(links["link"].iloc[0]) >= self.first_pair else self.drawn_url


def link_runs(link_numbers) -> list[int]:
    """Link numbers as runs: how many to skip, how many to take, again and again (``[0, 5]`` is
    links 0 to 4); a view of 2,700 links in one run is two numbers instead of 2,700."""
    numbers = np.unique(np.asarray(link_numbers, dtype=np.int64))
    if not len(numbers):
        return []
    breaks = np.flatnonzero(np.diff(numbers) != 1) + 1
    starts, stops = numbers[np.r_[0, breaks]], numbers[np.r_[breaks - 1, len(numbers) - 1]] + 1
    skips = starts - np.r_[0, stops[:-1]]
    return np.column_stack([skips, stops - starts]).ravel().tolist()


class LinkView(_Layer):
    """The links a view shows and their council nodes, drawn from the workspace's link table
    (:func:`link_table`, fetched once from ``url`` and kept by the browser): the page carries
    only which links (:func:`link_runs`) and which arrangements are in focus (``focus``, ids;
    the others fade), so a filter change sends a few numbers, not every line again.

    :meth:`written` makes one that carries a table of just its own links instead, for a map's
    first view, which draws before any table could be fetched."""

    _template = Template(
        _LAYER_OPTIONS
        + _FETCH_TABLE
        + """{% macro script(this, kwargs) %}
    (function () {
      var runs = {{ this.runs_json }}, wanted = {{ this.focus_json }}, group = {{ this._parent.get_name() }};
      wanted = wanted && new Set(wanted);
      {% if this.table_json %}Promise.resolve({{ this.table_json }}){% else %}{{ fetch_table(this.url_json) }}{% endif %}.then(function (table) {
        var lines = new Map(), ends = [[], []], inFocus = new Set(), at = 0;
        for (var r = 0; r < runs.length; r += 2) {
          at += runs[r];
          for (var n = at; n < at + runs[r + 1]; n++) {
            var link = table.links[n - table.first], key = link[0] + (link[1] ? "x" : "");
            if (!lines.has(key)) { lines.set(key, {arrangement: table.arrangements[link[0]], cross: link[1], arcs: []}); }
            lines.get(key).arcs.push(link[4]);
            ends[0].push(link[2]); ends[1].push(link[3]);
            if (wanted && wanted.has(table.arrangements[link[0]][0])) { inFocus.add(link[2]); inFocus.add(link[3]); }
          }
          at += runs[r + 1];
        }
        var lineFeatures = [], nodeFeatures = [], seen = new Set();
        lines.forEach(function (line) {
          var a = line.arrangement, faded = wanted && !wanted.has(a[0]), weight = a[3] + (line.cross ? {{ this.county_extra }} : 0);
          lineFeatures.push({type: "Feature", id: lineFeatures.length,
            geometry: {type: "MultiLineString", coordinates: line.arcs},
            properties: {aid: a[0], tip: a[1], color: faded ? "{{ this.faded }}" : a[2],
              weight: Math.round(weight * (faded ? 6 : 10)) / 10, opacity: faded ? 0.35 : 0.95, dash: line.cross ? null : "6 4"}});
        });
        ends[0].concat(ends[1]).forEach(function (n) {
          if (n < 0 || seen.has(n)) { return; }
          seen.add(n);
          var node = table.nodes[n], properties = {node: node[0], tip: node[3]};
          if (wanted && !inFocus.has(n)) { properties.faded = 1; }
          nodeFeatures.push({type: "Feature", id: nodeFeatures.length, geometry: {type: "Point", coordinates: [node[1], node[2]]},
            properties: properties});
        });
        var linesLayer = L.geoJSON({type: "FeatureCollection", features: lineFeatures},
          {{ options(this, "lines", "linesLayer") }}).addTo(group);
        L.geoJSON({type: "FeatureCollection", features: nodeFeatures}, {{ options(this, "nodes", "") }}).addTo(group);
      });
    })();
{% endmacro %}"""
    )

    def __init__(self, tables: LinkTables | None, links: pd.DataFrame, focus: set[str] | None = None, table_json: str = ""):
        super().__init__()
        self._name = "LinkView"
        self.url_json = _script_json(tables.url_for(links)) if tables is not None else ""
        self.table_json = table_json
        self.runs = link_runs(links["link"])
        self.runs_json = json.dumps(self.runs, separators=(",", ":"))
        self.focus = None if focus is None else sorted(focus)
        self.focus_json = _script_json(self.focus)
        self.on_click = LINE_POPUP.js_code
        self.radius, self.faded, self.line = NODE_RADIUS, FADED, COUNTY_LINE
        self.county_extra = COUNTY_LINE_EXTRA_PX

    @classmethod
    def written(cls, shown: Shown, council_names: pd.Series, focus: set[str] | None = None) -> LinkView:
        """A view of what ``shown`` draws that carries its links' table in the page (numbered
        from 0, with only their arrangements): a fifth smaller than one GeoJSON feature per line,
        each naming its arrangement, and drawn by the same code as a fetched view. The table is
        made once per ``shown`` (the focus is applied in the browser)."""

        def own_table() -> tuple[pd.DataFrame, str]:
            links, arrangements = shown.drawn_links, shown.arrangements
            numbered = links.sort_values("link").assign(link=np.arange(len(links)))
            own = arrangements[is_in(arrangements["arrangement_id"], set(numbered["arrangement_id"]))]
            return numbered, _script_json(link_table(numbered, own, council_names))

        numbered, table_json = shown.remember("first view's link table", own_table)
        return cls(None, numbered, focus, table_json=table_json)


class TablePrefetch(_Layer):
    """Fetch a workspace's drawn-links table (:class:`LinkTables`) once the map has drawn, so the
    next view (:class:`LinkView`) finds it in the browser."""

    _template = Template(
        _FETCH_TABLE
        + """{% macro script(this, kwargs) %}
    setTimeout(function () { {{ fetch_table(this.url_json) }}; }, 1500);
{% endmacro %}"""
    )

    def __init__(self, tables: LinkTables):
        super().__init__()
        self._name = "TablePrefetch"
        self.url_json = _script_json(tables.drawn_url)


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
    (window.arrangementDetails ? window.arrangementDetails() : Promise.resolve({})).then(function (details) {
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
    labels = shown.loc[label_order(shown, selected)].head(labelled)
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


def label_order(shown: pd.DataFrame, selected: str) -> list[str]:
    """The codes of ``shown`` (councils indexed by code, with ``lat``/``lon`` in WGS84 degrees and
    ``area_km2``) in the order their bold names claim a place: the selected council, then the
    largest areas, except that an area holding the centre of a smaller shown council (a county
    partner of its own districts) comes last, so the districts inside it are named rather than hidden."""
    centres = shapely.points(shown["lon"].to_numpy(), shown["lat"].to_numpy())
    holder, held = shapely.STRtree(centres).query(shown.geometry.values, predicate="contains")
    area = shown["area_km2"].to_numpy()
    holds_another = pd.Series(False, index=shown.index)
    holds_another.iloc[holder[area[holder] > area[held]]] = True
    ranked = shown.assign(first=shown.index == selected, inner=~holds_another)
    return list(ranked.sort_values(["first", "inner", "area_km2"], ascending=False).index)


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
      new L.NameMarker([item.lat, item.lon], {
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
    boundaries: Vintage,
    shown: Shown,
    council_names: pd.Series,
    selected: str = "",
    places: list[str] | None = None,
    *,
    tables: LinkTables | None = None,
    inline: bool = False,
) -> tuple[list[folium.FeatureGroup], bool]:
    """The layers the map adds over its base for what ``shown`` holds, and
    whether the links are bundled (too many arrangements to draw one by one).

    With a ``selected`` council, it and its partners are highlighted and every other link fades;
    without one, ``places`` (e.g. a slide's councils) are highlighted. With ``tables`` (the
    workspace's link tables, as the app serves them) the links are drawn from those, or with
    ``inline`` from a table of just these links written into the page (and the browser fetches
    the tables once the map is drawn, for the views that follow); without ``tables`` (a page
    that must work on its own) each line is written as a GeoJSON feature.
    """
    bundled = len(shown.arrangements) > BUNDLE_ABOVE
    focus = set(arrangements_of(shown, selected)["arrangement_id"]) if selected else None
    if bundled:
        drawn = [bundled_links_layer(shown.drawn_links, shown.arrangements, council_names)]
    elif tables is not None and not inline:
        group = folium.FeatureGroup(name="partnerships")
        if not shown.drawn_links.empty:
            LinkView(tables, shown.drawn_links, focus).add_to(group)
        drawn = [group]
    elif tables is not None:
        group = folium.FeatureGroup(name="partnerships")
        if not shown.drawn_links.empty:
            LinkView.written(shown, council_names, focus).add_to(group)
        TablePrefetch(tables).add_to(group)
        drawn = [group]
    else:
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
