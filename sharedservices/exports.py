"""Downloads of exactly what a page shows: CSV (UTF-8 with a byte-order mark, so Excel reads "£"
right), XLSX (arrangements, links with their flags, and a sheet that says what made it), GeoJSON
(links and councils), a standalone HTML map and a picture for print (PNG or SVG).

Every text cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import logging
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
import xlsxwriter

from sharedservices import filters, mapview, settings, tables
from sharedservices.arrangements import load_categories
from sharedservices.columns import is_in
from sharedservices.errors import ExportError
from sharedservices.filters import Shown
from sharedservices.mapview.cards import map_html
from sharedservices.vintages import Vintage
from sharedservices.workspace import Workspace

log = logging.getLogger(__name__)

#: A cell beginning with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LICENCES = (
    "Boundaries: Office for National Statistics, Open Government Licence v3; contains OS data "
    "© Crown copyright and database right. Arrangements: compiled from the public sources in each row."
)


def neutralise(value: object) -> object:
    """A text that would run as a spreadsheet formula, prefixed with an apostrophe; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and list of texts, joined by spaces) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: neutralise(" ".join(v) if isinstance(v, list) else v))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def table_csv(table: pd.DataFrame) -> bytes:
    """A people's table (``tables.people_table``) as CSV bytes, UTF-8 with a byte-order mark."""
    return safe_frame(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")  # RFC 4180


def table_xlsx(
    table: pd.DataFrame,
    links: pd.DataFrame | None = None,
    council_names: pd.Series | None = None,
    about: dict[str, str] | None = None,
) -> bytes:
    """A people's table as an XLSX workbook: "Arrangements", "Links" (each pair of councils with the
    lines it crosses; ``council_names`` is code -> name) when ``links`` is given, and "About"
    (``about``: what made it, plus the columns explained, the time and the licences)."""
    buffer = io.BytesIO()
    made = {"Made": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), **(about or {}), "Licences": LICENCES}
    about_sheet = pd.DataFrame(
        [(k, v) for k, v in made.items()] + [(f"Column: {k}", v) for k, v in tables.COLUMNS.items()], columns=["Item", "Value"]
    )
    sheets = {"Arrangements": table}
    if links is not None:
        sheets["Links"] = links_sheet(links, council_names)
    sheets["About"] = about_sheet
    # Written row by row with xlsxwriter (pandas' cell-by-cell writer took twice as long); text is
    # never read as a formula or a link, on top of the neutralising.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(name)
        safe = safe_frame(frame)
        sheet.write_row(0, 0, list(safe.columns))
        cells = safe.astype(object).where(safe.notna(), None).to_numpy().tolist()
        for number, row in enumerate(cells, start=1):
            sheet.write_row(number, 0, row)
    workbook.close()
    return buffer.getvalue()


def links_sheet(links: pd.DataFrame, council_names: pd.Series | None = None) -> pd.DataFrame:
    """Each pair of councils of the shown arrangements, by name and code, with its flags;
    distances in km between the councils' representative points."""
    names = council_names if council_names is not None else pd.Series(dtype=str)
    return pd.DataFrame(
        {
            "Arrangement id": links["arrangement_id"],
            "Council A": links["code_a"].map(names),
            "Code A": links["code_a"],
            "Council B": links["code_b"].map(names),
            "Code B": links["code_b"],
            "Crosses a county line": links["cross_county"].astype(bool),
            "Crosses a regional line": links["cross_region"].astype(bool),
            "Crosses a national border": links["cross_nation"].astype(bool),
            "Neighbours": links["adjacent"],
            "Distance (km)": links["distance_km"].round(1),
        }
    )


def file_stem(vintage: str, *parts: str) -> str:
    """A download's name after its view, e.g. ``shared-services-east-of-england-legal-2023``."""
    words = [re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in parts if p]
    return "-".join(["shared-services", *[w for w in words if w], vintage])


def view_geojson(shown: Shown, boundaries: Vintage, council_names: pd.Series) -> dict:
    """The links drawn (straight LineStrings between the two councils' points; a large
    partnership's spokes meet at its lead council or centre) and the councils they join
    (Polygons), as one RFC 7946 FeatureCollection in WGS84 (longitude, latitude)."""
    arrangements = shown.arrangements.set_index("arrangement_id")
    features = []
    for link in shown.drawn_links.itertuples(index=False):
        row = arrangements.loc[link.arrangement_id]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(float(link.lon_a), 5), round(float(link.lat_a), 5)],
                        [round(float(link.lon_b), 5), round(float(link.lat_b), 5)],
                    ],
                },
                "properties": {
                    "kind": "link",
                    "arrangement_id": link.arrangement_id,
                    "arrangement": str(row["name"]),
                    "status": str(row["status"]),
                    "services": str(row["services"]),
                    "code_a": link.code_a,
                    "name_a": _name(council_names, link.code_a),
                    "code_b": link.code_b,
                    "name_b": _name(council_names, link.code_b),
                    "cross_county": bool(link.cross_county),
                    "cross_region": bool(link.cross_region),
                    "cross_nation": bool(link.cross_nation),
                    "neighbours": None if pd.isna(link.adjacent) else bool(link.adjacent),
                    "sources": str(row["source_urls"]),
                },
            }
        )
    councils = boundaries.councils[is_in(boundaries.councils["code"], shown.council_codes)]
    polygons = json.loads(councils[["code", "name", "type", "geometry"]].to_crs(settings.WEB_CRS).to_json(drop_id=True))
    for feature in polygons["features"]:
        feature["properties"]["kind"] = "council"
    return {"type": "FeatureCollection", "features": features + polygons["features"]}


def _name(names: pd.Series, code) -> str | None:
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "the partnership's centre"
    return str(names.get(code, code))


def standalone_html(
    shown: Shown, boundaries: Vintage, council_names: pd.Series, title: str, attribution: str, selected: str = ""
) -> bytes:
    """The current view as one HTML file that opens from disk with no server and no internet:
    Leaflet and its CSS inlined, the councils, the links with their tooltips and popups (with
    sources), the legend, the title and the attribution. It opens on the councils the view is
    about (fitted to the reader's window); a ``selected`` council and its partners stand out with
    their names in bold, as on the page."""
    districts, outlines, labels = (_rounded(part, SAVED_MAP_DECIMALS) for part in mapview.base_geojson(_lighter(boundaries)))
    details = {
        str(row["arrangement_id"]): _short_popup(mapview.arrangement_popup(row)) for _, row in shown.arrangements.iterrows()
    }
    figure = mapview.base_map("#base-data", "#details-data")
    figure.default_js, figure.default_css = [], []
    mapview.page_of(figure).html.add_child(
        folium.Element(
            _packed_json_script("base-data", {"districts": districts, "outlines": outlines, "labels": labels})
            + _packed_json_script("details-data", details)
        )
    )
    leaflet = settings.VENDOR_DIR / "leaflet"
    head = mapview.page_of(figure).header
    # Leaflet first, so the map's own styles (the sea, the labels) come after and win.
    head.add_child(
        folium.Element(
            "<script>" + (leaflet / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script") + "</script>"
        ),
        index=0,
    )
    head.add_child(folium.Element("<style>" + (leaflet / "leaflet.css").read_text(encoding="utf-8") + "</style>"), index=0)
    head.add_child(folium.Element(f"<title>{map_html(title)}</title>"), index=0)
    partner_codes = filters.partners(shown, selected) if selected else []
    if selected:
        mapview.highlight_layer(boundaries, selected, partner_codes).add_to(figure)
    mapview.links_layer(shown.drawn_links, shown.arrangements, council_names, straight=True).add_to(figure)
    codes = [selected, *partner_codes] if selected else shown.council_codes
    mapview.fit_on_open(figure, boundaries, codes, top_left_px=(20, 60), bottom_right_px=(20, 150))  # clear of title, legend
    box = (
        "position:fixed;z-index:1000;background:rgba(255,255,255,0.92);padding:8px 12px;border-radius:4px;"
        "font:13px/1.4 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3)"
    )
    mapview.page_of(figure).html.add_child(
        folium.Element(
            f"<div style='{box};top:10px;left:60px;right:60px'><b style='font-size:16px'>{map_html(title)}</b></div>"
            f"<div style='{box};bottom:64px;left:10px;max-width:340px'>{mapview.legend_html(shown.drawn, compact=True)}</div>"
            f"<div style='{box};bottom:24px;right:10px;max-width:420px;font-size:11px'>{map_html(attribution)}</div>"
        )
    )
    return figure.get_root().render().encode("utf-8")


#: Decimal places of a saved map's boundaries: about 11 m, plenty for a map of councils.
SAVED_MAP_DECIMALS = 4
#: A saved map's boundaries are simplified further (Visvalingam-Whyatt, degrees), keeping
#: shared borders shared (``shapely.coverage_simplify``), so the whole UK fits in one small file.
SAVED_MAP_TOLERANCE = 0.006


def _lighter(boundaries: Vintage) -> Vintage:
    """The vintage with its districts simplified for a saved map (WGS84)."""
    districts = boundaries.districts.copy()
    districts["geometry"] = shapely.coverage_simplify(districts.geometry.values, SAVED_MAP_TOLERANCE)
    return dataclasses.replace(boundaries, districts=districts)


def _rounded(value, decimals: int):
    """Every float in a JSON-like value rounded to ``decimals`` places."""
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, list):
        return [_rounded(item, decimals) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item, decimals) for key, item in value.items()}
    return value


def _short_popup(fields: dict[str, str]) -> str:
    """A saved map's popup: the arrangement, when and its status, its councils (the first ten of a
    large partnership) and its sources (the fields come escaped from ``mapview.arrangement_popup``)."""
    councils = fields["councils"].split("; ")
    listed = "; ".join(councils[:10]) + (f" and {len(councils) - 10} more" if len(councils) > 10 else "")
    sources = fields["sources"].replace(' target="_blank"', "")  # a saved file opens them in place
    return f"<b>{fields['name']}</b><br>{fields['when']}<br>{listed}<br>Sources: {sources}"


def _packed_json_script(element_id: str, payload) -> str:
    """A JSON payload as a ``<script type="application/octet-stream">`` element (never run): the
    JSON gzipped and base64-encoded, about a third of its size, which the saved map unpacks with
    the browser's ``DecompressionStream``. Base64 has no "<" or "{", so no text in the data can
    close the element or open a Jinja tag for folium."""
    text = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    packed = base64.b64encode(gzip.compress(text, mtime=0)).decode("ascii")
    return f'<script type="application/octet-stream" id="{element_id}">{packed}</script>'


def unpack_saved_payload(page: str, element_id: str):
    """What a saved map (``standalone_html``) carries in its element ``element_id``, as JSON."""
    packed = re.search(rf'<script type="application/octet-stream" id="{re.escape(element_id)}">([^<]*)</script>', page)
    if packed is None:
        raise ExportError(f"This saved map has no {element_id!r} data.")
    return json.loads(gzip.decompress(base64.b64decode(packed.group(1))))


def picture(shown: Shown, boundaries: Vintage, title: str, attribution: str, fmt: str = "png", width_px: int = 2400) -> bytes:
    """The current view drawn for print, in British National Grid (EPSG:27700): the councils,
    county outlines, the links coloured by family of services, a title naming the filters, a
    legend, a scale bar, the attribution and the date. PNG ``width_px`` wide, or SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    districts = boundaries.districts.to_crs(settings.WORK_CRS)
    links = shown.drawn_links.dropna(subset=["lon_a", "lat_a", "lon_b", "lat_b"])
    from pyproj import Transformer

    to_grid = Transformer.from_crs(settings.WEB_CRS, settings.WORK_CRS, always_xy=True)
    xa, ya = to_grid.transform(links["lon_a"].to_numpy(), links["lat_a"].to_numpy())
    xb, yb = to_grid.transform(links["lon_b"].to_numpy(), links["lat_b"].to_numpy())
    services = shown.arrangements.set_index("arrangement_id")["services"].reindex(links["arrangement_id"]).fillna("")
    colours = [mapview.FAMILY_OF.get((s.split(";") or ["other"])[0], mapview.FAMILY_OF["other"])[1] for s in services]
    figure, axes = plt.subplots(figsize=(10, 12), dpi=width_px / 10)
    figure.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.04)
    districts.plot(ax=axes, color=mapview.LAND, edgecolor=mapview.BOUNDARY, linewidth=0.25)
    boundaries.counties.to_crs(settings.WORK_CRS).boundary.plot(ax=axes, color=mapview.COUNTY_LINE, linewidth=0.4)
    from matplotlib.collections import LineCollection

    axes.add_collection(LineCollection(list(zip(zip(xa, ya), zip(xb, yb))), colors=colours, linewidths=0.9, alpha=0.85))
    if len(links):
        pad = 30_000
        axes.set_xlim(min(xa.min(), xb.min()) - pad, max(xa.max(), xb.max()) + pad)
        axes.set_ylim(min(ya.min(), yb.min()) - pad, max(ya.max(), yb.max()) + pad)
    axes.set_aspect("equal")
    axes.set_axis_off()
    figure.patch.set_facecolor(mapview.SEA)
    axes.set_title(title, fontsize=16, fontweight="bold", loc="left")
    handles = [Line2D([0], [0], color=colour, linewidth=3, label=label) for label, colour in mapview.legend_items(shown.drawn)]
    axes.legend(handles=handles, loc="center left", fontsize=9, frameon=True, title="Services shared")
    x0, x1 = axes.get_xlim()
    y0, _ = axes.get_ylim()
    bar = 10 ** int(np.log10((x1 - x0) / 5))  # a round number of metres, about a fifth of the width
    axes.plot([x0 + bar * 0.3, x0 + bar * 1.3], [y0 + bar * 0.3] * 2, color="#222", linewidth=3)
    axes.text(x0 + bar * 0.8, y0 + bar * 0.4, f"{bar / 1000:g} km", ha="center", va="bottom", fontsize=9)
    figure.text(0.01, 0.01, f"{attribution} · Drawn {datetime.now(UTC):%d %B %Y}.", fontsize=7, color="#444", wrap=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=width_px / 10, facecolor=figure.get_facecolor())
    plt.close(figure)
    return buffer.getvalue()


#: Export format -> (file extension, MIME type).
FORMATS = {
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "geojson": ("geojson", "application/geo+json"),
    "html": ("html", "text/html"),
    "png": ("png", "image/png"),
    "svg": ("svg", "image/svg+xml"),
}


def view_title(chosen, council_names: pd.Series, selected: str = "") -> str:
    """A title naming the view's filters, e.g. "Shared services · East of England · Legal · 2023
    boundaries" (``chosen`` is a ``viewstate.Filters``)."""
    labels = load_categories().set_index("category_id")["label"].to_dict()
    parts = [*chosen.regions, *(labels.get(s, s) for s in chosen.services), *chosen.statuses, *chosen.reorganisation]
    if chosen.search:
        parts.append(f"“{chosen.search}”")
    if selected:
        parts.append(str(council_names.get(selected, selected)))
    return " · ".join(["Shared services", *parts, f"{chosen.vintage} boundaries"])


def export_view(fmt: str, workspace: Workspace, chosen, attribution: str, selected: str = "") -> bytes:
    """The view that ``chosen`` (a ``viewstate.Filters``) selects from ``workspace``, in one of
    :data:`FORMATS`; with ``selected``, only that council's arrangements."""
    shown = filters.apply(workspace, chosen)
    if selected:
        shown = filters.of_council(shown, selected)
    names = workspace.boundaries.councils.set_index("code")["name"]
    title = view_title(chosen, names, selected)
    table = tables.people_table(shown.arrangements)
    if fmt == "csv":
        return table_csv(table)
    if fmt == "xlsx":
        return table_xlsx(
            table, shown.pair_links, names, {"View": title, "Boundary year": chosen.vintage, "Rows": str(len(table))}
        )
    if fmt == "geojson":
        return json.dumps(view_geojson(shown, workspace.boundaries, names), separators=(",", ":")).encode("utf-8")
    if fmt == "html":
        return standalone_html(shown, workspace.boundaries, names, title, attribution, selected)
    if fmt in ("png", "svg"):
        return picture(shown, workspace.boundaries, title, attribution, fmt)
    raise ExportError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so a reader never sees half a file."""
    target = Path(path)
    with tempfile.NamedTemporaryFile("wb", dir=target.parent, suffix=".part", delete=False) as part:
        part.write(data)
    os.replace(part.name, target)
    log.info("wrote %s (%d bytes)", target, len(data))
