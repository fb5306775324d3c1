"""Benchmark the map page against the naive way, in one run. Prints figures; asserts nothing.

Figures:
- server time per filter change (median of several, seconds), measured by re-running the real
  page script with Streamlit's AppTest, for the shipped arrangements and for 10,000 synthetic
  ones; the naive page (bench/naive_app.py) the same way;
- the map's HTML for the whole UK with every shipped arrangement, bytes;
- page ready (map drawn) in headless Chromium after the first request on a warm server, seconds.

Run: .venv/bin/python bench/bench_map.py
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
warnings.simplefilter("ignore")

from streamlit.testing.v1 import AppTest  # noqa: E402

from sharedservices import filters, mapview, settings  # noqa: E402
from sharedservices.viewstate import ViewState  # noqa: E402
from sharedservices.workspace import load_workspace  # noqa: E402
from synthetic import write_synthetic  # noqa: E402

REGION_CHANGES = [["Wales"], ["London"], [], ["North West"], ["East of England"], []]


def filter_change_seconds(script: Path, changes: list[list[str]]) -> float:
    """Median seconds for the page script to re-run after a region filter changes."""
    page = AppTest.from_file(str(script), default_timeout=900)
    page.run()
    timings = []
    for regions in changes:
        started = time.perf_counter()
        page.multiselect(key="f_regions").set_value(regions).run()
        timings.append(time.perf_counter() - started)
        if page.exception:
            raise RuntimeError(page.exception[0].message)
    return round(statistics.median(timings), 3)


def map_html_bytes() -> dict:
    """The whole-UK map with every shipped arrangement: ours and the naive one, bytes."""
    import folium
    import geopandas as gpd

    workspace = load_workspace("2023")
    shown = filters.apply(workspace, ViewState())
    ours = mapview.base_map(mapview.base_geojson(workspace.layers))
    mapview.links_layer(shown.map_links, shown.arrangements).add_to(ours)
    naive = folium.Map(location=[54.5, -3], zoom_start=6)
    folium.GeoJson(gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip").to_crs(4326)).add_to(naive)
    names = shown.arrangements.set_index("arrangement_id")["name"]
    for link in shown.map_links.itertuples():
        folium.PolyLine([[link.lat_a, link.lon_a], [link.lat_b, link.lon_b]], popup=str(names[link.arrangement_id])).add_to(naive)
    return {"map_html_bytes": len(ours.get_root().render().encode()),
            "naive_map_html_bytes": len(naive.get_root().render().encode())}


def page_ready_seconds(script: str) -> float | str | None:
    """Seconds from the request to the drawn map in Chromium, on a warm server.

    None when Chromium is not installed; "never drew" when no map appeared in 60 s (a map that
    loads Leaflet from a CDN stays blank on a machine without internet).
    """
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                               "--server.headless", "true"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            timings = []
            for attempt in range(3):  # the first load warms the server's caches
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                started = time.perf_counter()
                page.goto(url)
                try:
                    page.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
                        "path.leaflet-interactive").first.wait_for(timeout=60_000)
                except PlaywrightTimeout:
                    browser.close()
                    return "never drew"
                timings.append(time.perf_counter() - started)
                page.close()
            browser.close()
        return round(min(timings[1:]), 2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    figures = {}
    figures["filter_change_s_shipped"] = filter_change_seconds(ROOT / "app.py", REGION_CHANGES)
    figures["naive_filter_change_s_shipped"] = filter_change_seconds(ROOT / "bench" / "naive_app.py", REGION_CHANGES[:3])
    figures.update(map_html_bytes())
    figures["page_ready_s"] = page_ready_seconds("app.py")
    figures["naive_page_ready_s"] = page_ready_seconds("bench/naive_app.py")
    with tempfile.TemporaryDirectory() as folder:
        synthetic = write_synthetic(Path(folder) / "synthetic.csv", 10_000)
        settings.ARRANGEMENTS_CSV = synthetic
        import streamlit as st

        st.cache_resource.clear()  # the pages' cached workspaces hold the shipped table
        figures["filter_change_s_10000"] = filter_change_seconds(ROOT / "app.py", REGION_CHANGES)
        figures["naive_filter_change_s_10000"] = filter_change_seconds(ROOT / "bench" / "naive_app.py", [["Wales"], []])
    print(json.dumps(figures))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
