"""Benchmark every page: ready in Chromium, and a filter change on the arrangements and insights
pages, with the shipped arrangements and with 10,000 synthetic ones. Prints figures; asserts nothing.

Figures (medians, seconds):
- ``ready_<page>_s``: from the start of the navigation to the page's address in a new browser profile (nothing cached, as
  when a shared link is opened) to the page drawn: its title shown, the run finished and every
  chart, table and map on it drawn; headless Chromium at 1366x768 on a warm server (each page
  opened once before timing);
- ``switch_to_<page>_s``: from a click on the page's name in the menu of another page (the map, or
  for the map the about page) to the page drawn, in the same tab: the way a reader moves between
  pages;
- ``filter_redraw_<page>_s`` (arrangements, insights): from the key press that adds a region in
  the sidebar (or takes it away) to the page redrawn for it, in the browser;
- ``server_filter_<page>_s``: a region filter change re-run on the server (AppTest), the time a
  browser waits beyond its own drawing;
- ``naive_server_filter_arrangements_s``: the arrangements table rebuilt the naive way on every
  change (every arrangement's rows re-read from the CSV and re-joined, no cache), for scale;
- ``communities_s``: the insights page's groups of councils for the whole table (Louvain), beside
  ``naive_communities_s``, the greedy modularity search the page used before.
Each set is printed for ``shipped`` and for ``synthetic_10000``.

Run: .venv/bin/python bench/bench_pages.py
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
from synthetic import write_synthetic  # noqa: E402

from sharedservices.ui.shell import MENU  # noqa: E402

PAGES = {
    "map": "/",
    "arrangements": "/arrangements",
    "council": "/council?council=E07000200",
    "insights": "/insights",
    "about": "/about",
}
REGIONS = ["Wales", "London", "North West", "Scotland"]


#: What is drawn on the page now: its title, whether the run is over with nothing left from a
#: previous page or run, and how many charts, tables and maps are drawn.
SEEN = """() => {
    const heading = document.querySelector("h1");
    const count = selector => document.querySelectorAll(selector).length;
    return {
        title: heading ? heading.textContent.trim() : "",
        settled: !document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]'),
        charts: count('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks'),
        tables: count('[data-testid="stDataFrame"] canvas[data-testid="data-grid-canvas"]'),
        maps: [...document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")].filter(
            map => map.contentDocument && map.contentDocument.querySelector("path.leaflet-interactive")).length,
        counts: ([...document.querySelectorAll('[data-testid="stMain"] p')].map(p => p.textContent)
            .find(text => /\\d arrangements?\\b/.test(text)) || ""),
    };
}"""
#: The moment (ms since the epoch, the machine's clock) of the first frame on which the page
#: shows all of ``expected`` (a settled :data:`SEEN`, plus ``before``: a counts line it must no
#: longer show); false before it. Checked on every frame.
DRAWN = (
    "expected => { const seen = (" + SEEN + ")(); return seen.settled && seen.title === expected.title"
    " && seen.charts >= expected.charts && seen.tables >= expected.tables && seen.maps >= expected.maps"
    " && seen.counts !== expected.before && performance.timeOrigin + performance.now(); }"
)
#: Keeps the moment of the last click or key press the page received, ms since the epoch.
INPUT_TIMES = """() => { for (const kind of ["click", "keydown"]) document.addEventListener(kind, event => {
    window.lastInputAt = performance.timeOrigin + event.timeStamp; }, true); }"""


def _settled(page) -> dict:
    """What a page shows once it has had time to draw everything (the network quiet for 0.5 s,
    then 3 s more): the figure every timed opening waits for."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(3000)
    return page.evaluate(SEEN) | {"before": None}


def _drawn(page, expected: dict) -> float:
    """Wait until the page shows all of ``expected``; when it first did, ms since the epoch."""
    return page.wait_for_function(DRAWN, arg=expected, polling="raf", timeout=120_000).json_value()


def _filter_redraws(browser, url: str, path: str, expected: dict) -> list[float]:
    """Seconds from the key press that adds a region in the sidebar (or, next, takes it away) to
    the page redrawn for it: its counts line changed and every chart and table drawn again."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url + path)
    _drawn(page, expected)
    page.evaluate(INPUT_TIMES)
    regions = page.get_by_test_id("stMultiSelect").filter(has_text="Region or nation").locator("input")
    timings = []
    for region in REGIONS[:3]:
        for adding in (True, False):
            before = page.evaluate(SEEN)["counts"]
            regions.click()
            if adding:
                regions.press_sequentially(region)
                page.get_by_role("option", name=region, exact=True).wait_for()
            page.keyboard.press("Enter" if adding else "Backspace")
            drawn_at = _drawn(page, expected | {"before": before})
            timings.append((drawn_at - page.evaluate("() => window.lastInputAt")) / 1000)
            page.keyboard.press("Escape")
    page.close()
    return timings


def browser_figures(env: dict) -> dict:
    from playwright.sync_api import sync_playwright

    server, url = serve("app.py", env)
    figures: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            drawn: dict[str, dict] = {}
            for name, path in PAGES.items():
                timings = []
                for attempt in range(4):  # the first opening warms the server's caches for this page
                    page = browser.new_page(viewport={"width": 1366, "height": 768})
                    page.goto(url + path)
                    if not attempt:
                        drawn[name] = _settled(page)
                    else:  # from the navigation's start in the browser
                        timings.append((_drawn(page, drawn[name]) - page.evaluate("performance.timeOrigin")) / 1000)
                    page.close()
                figures[f"ready_{name}_s"] = round(statistics.median(timings), 2)
            for name, (label, _) in MENU.items():
                if name not in PAGES:
                    continue
                start = {"map": "about", "council": "map_with_council"}.get(name, "map")
                timings = []
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                for _ in range(3):
                    page.goto(url + {"map_with_council": "/?council=E07000200"}.get(start, PAGES.get(start, "")))
                    _drawn(page, drawn["about" if start == "about" else "map"] | {"charts": 0, "tables": 0})
                    page.evaluate(INPUT_TIMES)
                    page.get_by_test_id("stPageLink-NavLink").filter(has=page.get_by_text(label, exact=True)).click()
                    timings.append((_drawn(page, drawn[name]) - page.evaluate("() => window.lastInputAt")) / 1000)
                page.close()
                figures[f"switch_to_{name}_s"] = round(statistics.median(timings), 2)
            for name in ("arrangements", "insights"):
                redraws = _filter_redraws(browser, url, PAGES[name], drawn[name])
                figures[f"filter_redraw_{name}_s"] = round(statistics.median(redraws), 2)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def server_figures(csv_path: Path | None) -> dict:
    from streamlit.testing.v1 import AppTest

    from sharedservices import settings

    if csv_path:
        settings.ARRANGEMENTS_CSV = csv_path
    import streamlit as st

    st.cache_resource.clear()
    figures = {}
    for name in ("arrangements", "insights"):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        app.run()
        app.switch_page(f"app_pages/{name}.py").run()
        timings = []
        for regions in [[r] for r in REGIONS] + [[]]:
            started = time.perf_counter()
            app.sidebar.multiselect(key="f_regions").set_value(regions).run()
            timings.append(time.perf_counter() - started)
        figures[f"server_filter_{name}_s"] = round(statistics.median(timings), 3)
    figures["naive_server_filter_arrangements_s"] = naive_table_seconds(settings.ARRANGEMENTS_CSV)
    figures.update(communities_seconds(settings.ARRANGEMENTS_CSV))
    return figures


def communities_seconds(csv_path: Path) -> dict:
    """The insights page's groups of councils for the whole table, Louvain as the page finds them
    (``insights.communities``) and the greedy modularity search it used before, for scale."""
    import networkx as nx

    from sharedservices import filters, insights
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    workspace = load_workspace("2023", csv_path)
    graph = insights.network(filters.apply(workspace, Filters()))
    names = workspace.boundaries.councils.set_index("code")["name"]
    timings: dict[str, list[float]] = {"communities_s": [], "naive_communities_s": []}
    for _ in range(3):
        started = time.perf_counter()
        insights.communities(graph, names)
        timings["communities_s"].append(time.perf_counter() - started)
        started = time.perf_counter()
        nx.community.greedy_modularity_communities(graph, weight="weight")
        timings["naive_communities_s"].append(time.perf_counter() - started)
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


def naive_table_seconds(csv_path: Path) -> float:
    """The arrangements table the naive way: read, match and join the whole CSV on every change."""
    from sharedservices import filters, tables
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    timings = []
    for region in REGIONS[:2]:
        started = time.perf_counter()
        workspace = load_workspace("2023", csv_path)
        tables.people_table(filters.apply(workspace, Filters(regions=(region,))).arrangements)
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings), 3)


def main() -> None:
    results = {"shipped": {}, "synthetic_10000": {}}
    if Path("/usr/bin/chromium").exists():
        results["shipped"].update(browser_figures({}))
    results["shipped"].update(server_figures(None))
    print(json.dumps(results), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        synthetic = write_synthetic(Path(folder) / "synthetic.csv", 10_000)
        if Path("/usr/bin/chromium").exists():
            results["synthetic_10000"].update(browser_figures({"SHAREDSERVICES_ARRANGEMENTS": str(synthetic)}))
        results["synthetic_10000"].update(server_figures(synthetic))
    print(json.dumps(results))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
