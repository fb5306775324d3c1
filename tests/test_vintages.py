"""Boundary vintages of any year: built from a file with that year's column names, reported and
offered like the built-in ones; the ONS download cache follows the query."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import geopandas as gpd
import pytest

from sharedservices import settings, vintages
from sharedservices.errors import UnknownVintageError
from tests.conftest import LAD_2023, fresh_cache


def _cli(*args: str, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHAREDSERVICES_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "sharedservices", *args],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def file_of_2022(tmp_path_factory):
    """The real 2023 districts as a December 2022 file would have them: LAD22CD/LAD22NM columns,
    and one council given a code that no lookup and no council change knows."""
    councils = gpd.read_file(LAD_2023)[["LAD23CD", "LAD23NM", "geometry"]]
    councils = councils.rename(columns={"LAD23CD": "LAD22CD", "LAD23NM": "LAD22NM"})
    councils.loc[councils["LAD22CD"] == "E07000171", ["LAD22CD", "LAD22NM"]] = ["E07000999", "Newtown Test"]
    path = tmp_path_factory.mktemp("lad22") / "LAD_DEC_2022_UK_BUC.gpkg"
    councils.to_file(path, driver="GPKG")
    return path


def test_a_vintage_of_any_year_is_built_from_its_file_and_then_offered(file_of_2022, tmp_path):
    cache = fresh_cache(tmp_path / "cache")
    built = _cli("geodata", "build", "--vintage", "2022", "--source", str(file_of_2022), cache=cache)
    assert built.returncode == 0, built.stderr
    assert "2022: 361 councils, 21 counties" in built.stdout
    # A code nothing places is named, not guessed.
    assert "Newtown Test (E07000999)" in built.stdout

    info = _cli("geodata", "info", "--vintage", "2022", "--json", cache=cache)
    assert info.returncode == 0, info.stderr
    figures = json.loads(info.stdout)
    assert figures["councils"] == 361 and figures["invalid_geometries"] == 0
    assert figures["label"].startswith("2022 (from LAD_DEC_2022_UK_BUC.gpkg")

    # Known codes keep their county and region; the arrangements are drawn on the new year.
    links = _cli("links", "--vintage", "2022", "--json", cache=cache)
    assert links.returncode == 0, links.stderr
    assert json.loads(links.stdout)["links"] > 1000
    offered = _cli("data", "validate", "--vintage", "2022", "--json", cache=cache)
    assert json.loads(offered.stdout)["errors"] == 0


def test_an_unbuilt_vintage_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    with pytest.raises(UnknownVintageError, match="geodata build --vintage 2031 --source"):
        vintages.load_vintage("2031")
    result = _cli("links", "--vintage", "2031", cache=tmp_path / "cache")
    assert result.returncode == 1 and "No boundary vintage '2031'" in result.stderr and "Traceback" not in result.stderr


def test_the_ons_download_cache_follows_the_query():
    layer = {"file": "LAD.zip", "ons_query": "https://example.org/FeatureServer/0/query", "ons_where": "1=1"}
    same = vintages.download_path("2024", dict(layer))
    other_where = vintages.download_path("2024", {**layer, "ons_where": "LAD24CD LIKE 'E%'"})
    other_url = vintages.download_path("2024", {**layer, "ons_query": "https://example.org/FeatureServer/1/query"})
    other_params = vintages.download_path("2024", {**layer, "ons_params": {"maxAllowableOffset": "0.001"}})
    assert same == vintages.download_path("2024", dict(layer))
    assert len({same, other_where, other_url, other_params}) == 4


def test_on_request_vintages_are_listed_but_not_offered_until_fetched(tmp_path, monkeypatch):
    from sharedservices.domain import built_in_vintages, listed_vintages

    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    assert {"2024", "2025"} <= set(listed_vintages()) and not {"2024", "2025"} & set(built_in_vintages())
    assert "2024" not in vintages.available_vintages()
    for layer in vintages.vintage_sources("2024")["layers"]:
        target = vintages.download_path("2024", layer)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("{}")
    assert "2024" in vintages.available_vintages()
