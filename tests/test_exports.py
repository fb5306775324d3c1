"""Every export read back: the exact rows, valid GeoJSON, an offline HTML map, a picture of the
stated size; and the command line that writes them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from sharedservices import exports, filters, settings
from sharedservices.viewstate import Filters

WALES = Filters(regions=("Wales",))


@pytest.fixture(scope="module")
def workspace():
    from sharedservices.workspace import load_workspace

    return load_workspace("2023")


def test_the_geojson_has_one_feature_per_link_and_the_councils_in_wgs84(workspace):
    shown = filters.apply(workspace, WALES)
    data = json.loads(exports.export_view("geojson", workspace, WALES, "ONS"))
    assert data["type"] == "FeatureCollection" and "crs" not in data  # RFC 7946: WGS84, no crs member
    links = [f for f in data["features"] if f["properties"]["kind"] == "link"]
    councils = [f for f in data["features"] if f["properties"]["kind"] == "council"]
    assert len(links) == len(shown.drawn_links) > 0
    assert {f["properties"]["code"] for f in councils} == set(shown.council_codes)
    for feature in links:
        assert feature["geometry"]["type"] == "LineString" and len(feature["geometry"]["coordinates"]) == 2
        for lon, lat in feature["geometry"]["coordinates"]:
            assert -9 < lon < 2 and 49 < lat < 61  # longitude first, in the UK
        assert {"code_a", "name_a", "code_b", "name_b", "cross_county", "arrangement"} <= set(feature["properties"])
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in councils)


def test_the_offline_map_needs_nothing_from_the_web_and_stays_small(workspace):
    page = exports.export_view("html", workspace, Filters(), "Boundaries: ONS").decode("utf-8")
    assert len(page.encode()) < 1_500_000  # the whole UK with every shipped arrangement
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)
    assert 'id="base-data"' in page and 'id="details-data"' in page and "Shared services" in page
    assert "L.map(" in page or "L.map (" in page  # Leaflet inlined, not fetched


def test_a_hostile_name_in_the_offline_map_stays_text(workspace):
    arrangements = workspace.arrangements.copy()
    arrangements.loc[arrangements.index[0], "name"] = "</script><script>alert(1)</script>"
    shown = filters.Shown(arrangements, workspace.long, workspace.pair_links, workspace.drawn_links)
    page = exports.standalone_html(shown, workspace.boundaries, workspace.boundaries.councils.set_index("code")["name"], "t", "a")
    assert "<script>alert(1)</script>" not in page.decode("utf-8")


def test_the_picture_is_big_enough_and_not_blank(workspace):
    png = exports.export_view("png", workspace, WALES, "Boundaries: ONS")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] >= 2000
    colours = image.resize((200, 240)).getcolors(maxcolors=200 * 240)
    assert len(colours) > 50  # land, sea, boundaries, lines and text, not one flat colour
    svg = exports.export_view("svg", workspace, WALES, "Boundaries: ONS").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_the_command_line_writes_the_filtered_rows(tmp_path, workspace):
    out = tmp_path / "wales.csv"
    done = subprocess.run(
        [sys.executable, "-m", "sharedservices", "export", "--format", "csv", "--out", str(out), "--region", "Wales"],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(out, encoding="utf-8-sig")
    assert list(rows["Id"]) == list(filters.apply(workspace, WALES).arrangements["arrangement_id"])
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "sharedservices",
            "export",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
            "--council",
            "<script>",
        ],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "No council has the code" in refused.stderr
    assert not (tmp_path / "x.csv").exists()


def test_a_council_export_holds_only_its_arrangements(workspace):
    rows = pd.read_csv(io.BytesIO(exports.export_view("csv", workspace, Filters(), "a", "E07000200")), encoding="utf-8-sig")
    assert 0 < len(rows) < 20 and all("Babergh" in councils for councils in rows["Councils"])


def _opening_bounds(page: str) -> tuple[float, float, float, float]:
    """The box (south, west, north, east; WGS84 degrees) the saved map fits itself to as it opens."""
    found = re.search(r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\],\s*(\{[^}]*\})", page)
    assert found, "the saved map does not fit itself to the view"
    assert json.loads(found.group(5))["animate"] is False  # an animated first zoom leaves parts unpainted
    return tuple(float(found.group(i)) for i in range(1, 5))  # type: ignore[return-value]


def test_a_council_saved_map_opens_on_it_and_its_partners_with_their_names_in_bold(workspace):
    page = exports.export_view("html", workspace, Filters(), "a", "E07000200").decode("utf-8")  # Babergh
    south, west, north, east = _opening_bounds(page)
    assert 51.8 < south < 52.1 and 52.3 < north < 52.7 and 0.2 < west < 0.6 and 1.6 < east < 1.9  # Suffolk
    assert '"selected council-E07000200"' in page and '"name": "Babergh"' in page  # highlighted and named
    assert "council-label strong" in page


def test_a_region_saved_map_opens_on_the_region(workspace):
    south, west, north, east = _opening_bounds(exports.export_view("html", workspace, WALES, "a").decode("utf-8"))
    assert 51 < south < 52 and -5.5 < west < -4.5 and 53 < north < 54 and east < 0  # Wales and its English partners
