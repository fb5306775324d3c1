"""Data and a view -> the folium map: a base map built once, and the layers that change.

The base map (districts, county outlines, no tiles by default) depends only on the boundary
vintage, so the page builds it once per process. Filters and the selection only change the
dynamic layers (links, highlight), which streamlit-folium sends to the browser on their own.
Every text from a data file that reaches the map's HTML is escaped here.
"""

from __future__ import annotations

from sharedservices.mapview.cards import arrangement_card, arrangement_cards, arrangement_popup, popup_html
from sharedservices.mapview.clicks import (
    click_action,
    council_at,
    map_size_px,
    moved_to,
    should_fit,
    view_for_bounds,
    view_for_councils,
)
from sharedservices.mapview.layers import (
    BUNDLE_ABOVE,
    MAX_BUNDLES,
    LinkTables,
    bundled_links_layer,
    highlight_layer,
    link_runs,
    link_table,
    links_layer,
    nodes_layer,
    partnership_layers,
    reorganisation_line,
)
from sharedservices.mapview.page import (
    MapBehaviour,
    base_geojson,
    base_map,
    fit_on_open,
    offline_map,
    page_of,
    write_base_layer,
    write_details,
    write_link_tables,
    write_static_json,
)
from sharedservices.mapview.style import (
    BOUNDARY,
    COUNTY_LINE,
    FAMILY_OF,
    LAND,
    MAX_ZOOM,
    MIN_MAP_PX,
    MIN_ZOOM,
    SEA,
    SERVICE_FAMILIES,
    legend_html,
    legend_items,
)

__all__ = [
    "BOUNDARY",
    "BUNDLE_ABOVE",
    "COUNTY_LINE",
    "FAMILY_OF",
    "LAND",
    "MAX_BUNDLES",
    "MAX_ZOOM",
    "MIN_MAP_PX",
    "MIN_ZOOM",
    "SEA",
    "SERVICE_FAMILIES",
    "LinkTables",
    "MapBehaviour",
    "arrangement_card",
    "arrangement_cards",
    "arrangement_popup",
    "base_geojson",
    "base_map",
    "fit_on_open",
    "bundled_links_layer",
    "click_action",
    "council_at",
    "highlight_layer",
    "legend_html",
    "legend_items",
    "link_runs",
    "link_table",
    "links_layer",
    "map_size_px",
    "moved_to",
    "nodes_layer",
    "offline_map",
    "page_of",
    "partnership_layers",
    "popup_html",
    "reorganisation_line",
    "should_fit",
    "view_for_bounds",
    "view_for_councils",
    "write_base_layer",
    "write_details",
    "write_link_tables",
    "write_static_json",
]
