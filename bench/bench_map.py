"""Benchmark the map page against the naive way, in one run. Prints figures; asserts nothing.

Figures:
- server time per filter change (median of several, seconds), measured by re-running the real
  page script with Streamlit's AppTest, for the shipped arrangements and for 10,000 synthetic
  ones; the naive page (bench/naive_app.py) the same way;
- the map's HTML for the whole UK with every shipped arrangement (and with the 10,000 synthetic
  ones, ``_10000``), and the base layer file the browser fetches once per vintage, bytes;
- in headless Chromium at 1366x768, on the real page served by ``streamlit run``: page ready (from
  the navigation's start to the first frame with the map drawn, on the browser's clock) on the
  first request to a freshly started server and on a warm one; council click
  (real mouse, at the council's centre) to its panel shown; filter change (a sidebar checkbox),
  from the click event in the page to the first frame of the map with the links redrawn, each
  checked on every animation frame; medians of several, seconds. The
  naive page gets the same page-ready measurement (it has no panel and no filters in the browser
  to time), and so does the emptiest Streamlit page (bench/empty_app.py), the floor no page goes
  below on this machine.

Run: .venv/bin/python bench/bench_map.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
warnings.simplefilter("ignore")

from serving import serve  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from synthetic import write_synthetic  # noqa: E402

from sharedservices import filters, mapview, settings  # noqa: E402
from sharedservices.viewstate import ViewState  # noqa: E402
from sharedservices.workspace import load_workspace  # noqa: E402

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


def map_html_bytes(csv_path: Path | None = None, suffix: str = "") -> dict:
    """The whole-UK map with every arrangement of a table (the shipped one by default), as the
    page sends it on a first view (its links' own table, bundled above ``mapview.BUNDLE_ABOVE``)
    and the naive one, bytes."""
    import folium
    import geopandas as gpd

    workspace = load_workspace("2023", csv_path) if csv_path else load_workspace("2023")
    shown = filters.apply(workspace, ViewState())
    url = mapview.write_base_layer(workspace.boundaries)
    base_bytes = (settings.BASE_LAYER_DIR / url.rsplit("/", 1)[1]).stat().st_size
    ours = mapview.base_map(url)
    names = workspace.boundaries.councils.set_index("code")["name"]
    tables = mapview.write_link_tables(workspace)  # a first view, as the app draws it
    for layer in mapview.partnership_layers(workspace.boundaries, shown, names, tables=tables, inline=True)[0]:
        layer.add_to(ours)
    naive = folium.Map(location=[54.5, -3], zoom_start=6)
    folium.GeoJson(gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip").to_crs(4326)).add_to(naive)
    titles = shown.arrangements.set_index("arrangement_id")["name"]
    for link in shown.drawn_links.itertuples():
        folium.PolyLine([[link.lat_a, link.lon_a], [link.lat_b, link.lon_b]], popup=str(titles[link.arrangement_id])).add_to(
            naive
        )
    return {
        f"map_html_bytes{suffix}": len(ours.get_root().render().encode()),
        f"base_layer_file_bytes{suffix}": base_bytes,
        f"naive_map_html_bytes{suffix}": len(naive.get_root().render().encode()),
    }


CLICKED = [
    ("Babergh", 52.06357, 0.91311),
    ("Westminster", 51.51217, -0.15462),
    ("Cardiff", 51.50462, -3.22593),
    ("Glasgow City", 55.85463, -4.22822),
    ("Belfast", 54.59271, -5.93038),
    ("Cornwall", 50.44969, -4.63892),
    ("Mid Suffolk", 52.23994, 1.04408),
]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def _serve_slash(script: str):
    server, url = serve(script)
    return server, url + "/"


def browser_figures(script: str, interactions: bool) -> dict | None:
    """Page ready (cold, warm), and with ``interactions`` click-to-panel and filter-to-links, seconds.

    None when Chromium is not installed; "never drew" when no map appeared in 60 s (a map that
    loads Leaflet from a CDN stays blank on a machine without internet).
    """
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    server, url = _serve_slash(script)
    figures: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )

            def ready(page, address: str) -> float:
                page.goto(address, wait_until="commit")
                return _since_navigation(page, MAP_DRAWN)

            loads = []
            for _ in range(4):  # the first request meets a freshly started server
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                try:
                    loads.append(ready(page, url))
                except PlaywrightTimeout:
                    browser.close()
                    return {"page_ready_cold_s": "never drew"}
                page.close()
            figures["page_ready_cold_s"] = round(loads[0], 2)
            figures["page_ready_warm_s"] = round(statistics.median(loads[1:]), 2)
            if interactions:
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                clicks = []
                for name, lat, lon in CLICKED:
                    ready(page, f"{url}?lat={lat}&lon={lon}&zoom=9.25")
                    page.wait_for_timeout(1000)
                    frame = page.frame(url=lambda u: "st_folium" in u)
                    x, y = frame.evaluate(
                        f"() => {{ const p = map_div.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}"
                    )
                    box = page.locator(MAP_FRAME).bounding_box()
                    started = time.perf_counter()
                    page.mouse.click(box["x"] + x, box["y"] + y)
                    page.get_by_role("heading", name=name, exact=True).wait_for(state="visible", timeout=30_000)
                    clicks.append(time.perf_counter() - started)
                figures["click_to_panel_s"] = round(statistics.median(clicks), 3)
                redraws = []
                ready(page, url)
                page.wait_for_timeout(1000)
                frame = page.frame(url=lambda u: "st_folium" in u)
                # Timed in the browser, from the click event the page receives (not from when the
                # test driver starts looking for the checkbox) to the first frame of the map that
                # shows the links changed; both clocks are the machine's (timeOrigin + now).
                page.evaluate(
                    "() => document.addEventListener('click', e => { window.clickedAt = performance.timeOrigin + e.timeStamp; }, true)"
                )
                count = "document.querySelectorAll('path[stroke-dasharray], path.leaflet-interactive').length"
                changed = f"before => {count} !== before && performance.timeOrigin + performance.now()"
                for _ in range(6):
                    before = frame.evaluate(f"() => {count}")
                    page.get_by_text("Only partners that are not neighbours").click()
                    drawn_at = frame.wait_for_function(changed, arg=before, polling="raf", timeout=30_000).json_value()
                    redraws.append((drawn_at - page.evaluate("() => window.clickedAt")) / 1000)
                    page.wait_for_timeout(1000)
                figures["filter_to_links_s"] = round(statistics.median(redraws), 3)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


#: The moment (ms since the epoch) of the first frame with the map drawn (a shape of its own in
#: its frame); false before it. Checked on every frame, in the page.
MAP_DRAWN = f"""() => {{ const map = document.querySelector("{MAP_FRAME}");
    return !!(map && map.contentDocument && map.contentDocument.querySelector("path.leaflet-interactive"))
        && performance.timeOrigin + performance.now(); }}"""
#: The same for the emptiest page: the first frame showing its one word.
WORD_DRAWN = """() => document.body.innerText.includes("ready") && performance.timeOrigin + performance.now()"""


def _since_navigation(page, drawn: str) -> float:
    """Seconds from the start of the page's navigation to the first frame on which ``drawn``
    holds, both on the browser's clock (the test driver's own delays are not counted)."""
    drawn_at = page.wait_for_function(drawn, polling="raf", timeout=60_000).json_value()
    return (drawn_at - page.evaluate("performance.timeOrigin")) / 1000


def floor_page_ready_s() -> float | None:
    """Median seconds for the emptiest Streamlit page (bench/empty_app.py) to show in Chromium at
    1366x768 on a warm server: the part of page ready that no page can go below here."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    server, url = _serve_slash("bench/empty_app.py")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            timings = []
            for _ in range(4):
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(url, wait_until="commit")
                timings.append(_since_navigation(page, WORD_DRAWN))
                page.close()
            browser.close()
        return round(statistics.median(timings[1:]), 2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    figures = {}
    figures["filter_change_s_shipped"] = filter_change_seconds(ROOT / "app.py", REGION_CHANGES)
    figures["naive_filter_change_s_shipped"] = filter_change_seconds(ROOT / "bench" / "naive_app.py", REGION_CHANGES[:3])
    figures.update(map_html_bytes())
    figures["streamlit_floor_page_ready_s"] = floor_page_ready_s()
    figures.update(browser_figures("app.py", interactions=True) or {})
    figures.update({f"naive_{k}": v for k, v in (browser_figures("bench/naive_app.py", interactions=False) or {}).items()})
    with tempfile.TemporaryDirectory() as folder:
        synthetic = write_synthetic(Path(folder) / "synthetic.csv", 10_000)
        settings.ARRANGEMENTS_CSV = synthetic
        import streamlit as st

        st.cache_resource.clear()  # the pages' cached workspaces hold the shipped table
        figures["filter_change_s_10000"] = filter_change_seconds(ROOT / "app.py", REGION_CHANGES)
        figures["naive_filter_change_s_10000"] = filter_change_seconds(ROOT / "bench" / "naive_app.py", [["Wales"], []])
        figures.update(map_html_bytes(synthetic, "_10000"))
    print(json.dumps(figures))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
