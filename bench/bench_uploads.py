"""Benchmark: your own data, from upload to drawn map, in Chromium at 1366x768.

Two uploads on the "Your data" page of a running app, each timed from the file handed to the
page to its arrangements (or councils) drawn on the map:

- a 1,000-row messy table (names in capitals, with "&", suffixes and typos; bench_arrangements's
  generator), target 3 s;
- a 20 m-resolution district file (the real 2023 file densified to a 20 m vertex spacing, as the
  boundary benchmark makes it), target 20 s.

Beside them, in the same run, the server-side work the page does, against the naive way of doing
the same (every name matched by rapidfuzz against every council name; the boundary file read with
geopandas and sent to the map as it is, unsimplified). Prints figures and one JSON line.

Usage: .venv/bin/python bench/bench_uploads.py
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from bench_arrangements import messy_rows  # noqa: E402
from rapidfuzz import process  # noqa: E402
from serving import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

from sharedservices import settings, uploads  # noqa: E402
from sharedservices.arrangements import read_arrangements  # noqa: E402
from sharedservices.vintages import load_vintage  # noqa: E402

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def messy_table(path: Path, rows: int = 1_000) -> None:
    councils = load_vintage("2023").councils
    names = dict(zip(councils["code"], councils["name"], strict=True))
    rng = random.Random(7)
    lines = ["id,name,services,councils,status,source"]
    for number, row in enumerate(messy_rows(names, rows)):
        written = "; ".join(name.strip() for name, _ in row)
        lines.append(
            f'u{number},Upload {number},{rng.choice(["legal", "ict", "audit"])},"{written}",operational,https://example.org/{number}'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def dense_file(path: Path) -> None:
    source = gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip")
    source["geometry"] = shapely.segmentize(source.geometry.values, 20.0)
    source.to_file(path, driver="GPKG")


def server_side(table: Path, dense: Path) -> dict:
    councils = {v: load_vintage(v).councils for v in ("2013", "2023")}
    started = time.perf_counter()
    register = uploads.register_with_choices(councils, {})
    report = read_arrangements(table.read_bytes(), register, "2023")
    read_s = time.perf_counter() - started
    written = [part.strip() for cell in report.long["council_as_written"] for part in [cell]]
    choices = list(councils["2023"]["name"])
    started = time.perf_counter()
    for name in written:
        process.extractOne(name, choices)
    naive_match_s = time.perf_counter() - started
    started = time.perf_counter()
    built = uploads.read_boundaries(dense.read_bytes(), dense.name)
    boundaries_s = time.perf_counter() - started
    raw = gpd.read_file(dense).to_crs(4326)
    naive_bytes = len(raw.to_json())
    return {
        "table_rows": report.rows_read,
        "table_loaded": int(report.long["arrangement_id"].nunique()),
        "table_read_and_matched_s": round(read_s, 2),
        "naive_match_s": round(naive_match_s, 2),
        "boundaries_built_s": round(boundaries_s, 2),
        "boundaries_layer_bytes": built.info["layer_bytes"],
        "boundaries_source_vertices": built.info["source_vertices"],
        "naive_boundaries_bytes": naive_bytes,
    }


def in_the_browser(table: Path, dense: Path) -> dict:
    from playwright.sync_api import expect, sync_playwright

    server, url = serve()
    figures: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, file, index, ready in (
                ("table", table, 0, "arrangements"),
                ("boundaries", dense, 1, "361 councils and 21 counties"),
            ):
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(url + "/data")
                expect(page.get_by_role("heading", name="Your data")).to_be_visible(timeout=120_000)
                page.wait_for_timeout(1000)
                started = time.perf_counter()
                page.locator("input[type=file]").nth(index).set_input_files(str(file))
                if name == "table":
                    expect(page.get_by_text("loaded").first).to_be_visible(timeout=120_000)
                else:
                    expect(page.get_by_text(ready)).to_be_visible(timeout=300_000)
                figures[f"{name}_upload_to_report_s"] = round(time.perf_counter() - started, 2)
                page.get_by_role("link", name="See it on the map").click()
                frame = page.frame_locator(MAP_FRAME)
                expect(frame.locator("path.leaflet-interactive").nth(50)).to_be_attached(timeout=300_000)
                figures[f"{name}_upload_to_map_s"] = round(time.perf_counter() - started, 2)
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        table, dense = Path(folder) / "messy-1000.csv", Path(folder) / "districts-20m.gpkg"
        messy_table(table)
        dense_file(dense)
        figures = server_side(table, dense)
        print(
            f"Server side: a {figures['table_rows']:,}-row messy table read and matched in "
            f"{figures['table_read_and_matched_s']} s ({figures['table_loaded']:,} arrangements load); naive rapidfuzz "
            f"over every name {figures['naive_match_s']} s (matching only, and it always guesses)."
        )
        print(
            f"Server side: a 20 m file ({figures['boundaries_source_vertices']:,} points) built into a "
            f"{figures['boundaries_layer_bytes']:,}-byte layer in {figures['boundaries_built_s']} s; sent as it is, "
            f"it would be {figures['naive_boundaries_bytes']:,} bytes."
        )
        if Path(CHROMIUM).exists():
            browser = in_the_browser(table, dense)
            figures |= browser
            print(
                f"In Chromium at 1366x768: table upload to drawn map {browser['table_upload_to_map_s']} s (target 3; "
                f"its reading report shown after {browser['table_upload_to_report_s']} s); "
                f"20 m boundary file upload to drawn map {browser['boundaries_upload_to_map_s']} s (target 20)."
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
