"""Benchmark every export of the whole UK with every shipped arrangement. Prints figures; asserts nothing.

Figures: seconds to make each format (median of 3) and its bytes; beside them the naive HTML
export (folium's own page: scripts from a CDN, the ONS boundary file as it is in one GeoJson,
one PolyLine with a popup per link), bytes and seconds.

Run: .venv/bin/python bench/bench_exports.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")

from sharedservices import exports, filters, settings  # noqa: E402
from sharedservices.reorganisation import attribution  # noqa: E402
from sharedservices.viewstate import Filters  # noqa: E402
from sharedservices.workspace import load_workspace  # noqa: E402


def naive_html(workspace) -> tuple[int, float]:
    import folium
    import geopandas as gpd

    started = time.perf_counter()
    shown = filters.apply(workspace, Filters())
    figure = folium.Map(location=[54.5, -3], zoom_start=6)
    folium.GeoJson(gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip").to_crs(4326)).add_to(figure)
    names = shown.arrangements.set_index("arrangement_id")["name"]
    for link in shown.drawn_links.itertuples():
        folium.PolyLine([[link.lat_a, link.lon_a], [link.lat_b, link.lon_b]], popup=str(names[link.arrangement_id])).add_to(
            figure
        )
    page = figure.get_root().render().encode()
    return len(page), round(time.perf_counter() - started, 2)


def main() -> None:
    workspace = load_workspace("2023")
    credit = attribution("2023")
    figures = {"arrangements": len(workspace.arrangements)}
    for fmt in exports.FORMATS:
        timings, size = [], 0
        for _ in range(3):
            started = time.perf_counter()
            size = len(exports.export_view(fmt, workspace, Filters(), credit))
            timings.append(time.perf_counter() - started)
        figures[f"{fmt}_s"] = round(statistics.median(timings), 2)
        figures[f"{fmt}_bytes"] = size
    figures["naive_html_bytes"], figures["naive_html_s"] = naive_html(workspace)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
