"""Reading real boundary files of every kind, and refusing bad ones with a clear message."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from sharedservices import settings
from sharedservices.boundaries import read_councils
from sharedservices.errors import BoundaryFileError, BoundaryWarning
from sharedservices.vintages import build_vintage, load_vintage
from tests.conftest import COUNTRIES, LAD_2013_GB, LAD_2023, LGD_2015_NI, needs_shared_files, write_zip_bomb


@needs_shared_files
def test_zipped_shapefile_in_british_national_grid_is_read_in_wgs84():
    councils = read_councils(LAD_2023)
    assert len(councils) == 361
    assert councils.crs.to_epsg() == 4326
    suffolk_west = councils.set_index("code").loc["E07000245"]
    assert suffolk_west["name"] == "West Suffolk"
    assert 0.3 < suffolk_west.geometry.centroid.x < 0.9 and 52.1 < suffolk_west.geometry.centroid.y < 52.5
    assert councils.geometry.is_valid.all()


@needs_shared_files
def test_topojson_without_crs_is_assumed_wgs84_with_a_warning_and_repaired():
    raw = gpd.read_file(LAD_2013_GB)
    assert (~raw.is_valid).sum() > 300  # the file's quirk: most polygons are invalid
    with pytest.warns(BoundaryWarning, match="WGS84"):
        councils = read_councils(LAD_2013_GB)
    assert len(councils) == 380
    assert councils.geometry.is_valid.all()
    assert councils.set_index("code").loc["E07000201", "name"] == "Forest Heath"


@needs_shared_files
def test_northern_ireland_columns_are_found_by_their_contents():
    with pytest.warns(BoundaryWarning):
        councils = read_councils(LGD_2015_NI)
    assert len(councils) == 11
    assert councils["code"].str.startswith("N09").all()
    assert "Belfast" in set(councils["name"])


def test_geopackage_and_plain_geojson_and_shapefile_read_alike(tmp_path):
    source = gpd.read_file(LAD_2023)[["LAD23CD", "LAD23NM", "geometry"]].rename(
        columns={"LAD23CD": "CTYUA23CD", "LAD23NM": "CTYUA23NM"}
    )
    source.to_file(tmp_path / "councils.gpkg", driver="GPKG")
    source.to_crs(4326).to_file(tmp_path / "councils.geojson", driver="GeoJSON")
    source.to_file(tmp_path / "councils.shp")
    for name in ("councils.gpkg", "councils.geojson", "councils.shp"):
        councils = read_councils(tmp_path / name)
        assert len(councils) == 361, name
        assert councils.set_index("code").loc["E09000033", "name"] == "Westminster", name


def test_lookups_give_every_english_district_one_region_and_at_most_one_county(vintage_2013, vintage_2023):
    for vintage in (vintage_2013, vintage_2023):
        english = vintage.districts[vintage.districts["nation"] == "England"]
        assert english["region_code"].str.match(r"^E12\d{6}$").all(), vintage.vintage
        districts = english[english["type"] == "district"]
        assert districts["upper_tier_code"].str.startswith("E10").all()
        others = english[english["type"] != "district"]
        assert (others["upper_tier_code"] == others["code"]).all()
        assert (others["county_name"] == "").all()


def test_councils_table_columns_and_hierarchy(vintage_2023):
    councils = vintage_2023.councils.set_index("code")
    assert councils.loc["E07000245", ["type", "upper_tier_code", "region_name", "nation"]].tolist() == [
        "district",
        "E10000029",
        "East of England",
        "England",
    ]
    assert councils.loc["E10000029", "name"] == "Suffolk"
    assert councils.loc["W06000002", ["type", "region_name"]].tolist() == ["welsh principal area", "Wales"]
    assert councils.loc["S12000036", "type"] == "scottish council area"
    assert councils.loc["N09000003", "nation"] == "Northern Ireland"
    assert councils.loc["E09000033", "type"] == "london borough"
    assert councils.loc["E08000025", "type"] == "metropolitan borough"
    suffolk = councils.loc["E10000029"]
    assert 3500 < suffolk["area_km2"] < 4100
    assert shapely.Point(suffolk["lon"], suffolk["lat"]).within(suffolk.geometry)


@pytest.mark.parametrize("fixture, councils, counties", [("vintage_2023", 361, 21), ("vintage_2013", 391, 27)])
def test_vintage_layers_are_clean_and_within_budget(request, fixture, councils, counties):
    """Measured here from the layers themselves, not taken from the figures the build reports."""
    vintage = request.getfixturevalue(fixture)
    assert len(vintage.districts) == councils and vintage.districts["code"].is_unique
    assert len(vintage.counties) == counties
    geometries = vintage.districts.to_crs(settings.WORK_CRS).geometry.values
    assert shapely.is_valid(geometries).all()
    # A valid coverage: no overlaps and shared edges identical ...
    assert shapely.coverage_is_valid(geometries)
    # ... and no holes between neighbours (a hole of the whole that two or more councils border).
    whole = shapely.union_all(geometries)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(whole) for ring in part.interiors]
    between = [h for h in holes if sum(shapely.intersects(h.boundary, g) for g in geometries) >= 2]
    assert sum(h.area for h in between) / 1e6 < 0.01
    sent = vintage.districts[["code", "name", "geometry"]].to_json(drop_id=True, separators=(",", ":"), ensure_ascii=False)
    assert len(sent.encode()) <= settings.LAYER_BUDGET_BYTES
    # The build's own report agrees with what was measured.
    info = vintage.info
    assert (info["councils"], info["counties"], info["invalid_geometries"], info["invalid_edges"]) == (councils, counties, 0, 0)
    assert info["overlaps_km2"] + info["gaps_km2"] < 0.01


def test_2013_has_the_pre_2019_councils(vintage_2013):
    by_type = vintage_2013.info["by_type"]
    assert by_type == {"E06": 56, "E07": 201, "E08": 36, "E09": 33, "N09": 11, "S12": 32, "W06": 22}
    assert {"E07000201", "E07000204", "E10000021"} <= set(vintage_2013.councils["code"])


def test_a_20m_resolution_file_also_lands_under_the_budget(tmp_path, empty_cache):
    """A densified copy of the real 2023 file, the size of the 20 m files users download."""
    source = gpd.read_file(LAD_2023).to_crs(27700)  # British National Grid: a vertex every 20 m
    source["geometry"] = shapely.segmentize(source.geometry.values, 20.0)
    dense = tmp_path / "dense.gpkg"
    source.to_file(dense, driver="GPKG")
    assert dense.stat().st_size > 20_000_000
    built = build_vintage("2023", [dense])
    assert built.info["source_vertices"] > 1_000_000
    assert built.info["layer_bytes"] <= settings.LAYER_BUDGET_BYTES
    assert built.info["invalid_geometries"] == 0
    assert built.info["overlaps_km2"] + built.info["gaps_km2"] < 0.01


@needs_shared_files
def test_cache_is_reused_until_an_input_changes(tmp_path, empty_cache):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / LAD_2023.name).write_bytes(LAD_2023.read_bytes())
    first = load_vintage("2023", folder)
    cached = load_vintage("2023", folder)
    assert cached.info["build_seconds"] == first.info["build_seconds"]
    assert len(list((empty_cache / "layers").iterdir())) == 1
    with zipfile.ZipFile(folder / LAD_2023.name, "a") as archive:
        archive.writestr("README.txt", "a changed input")
    load_vintage("2023", folder)
    assert len(list((empty_cache / "layers").iterdir())) == 2


# ---- bad input: one clear error naming the file, nothing written to the cache ----


def _make_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _shapefile_parts(tmp_path) -> dict[str, bytes]:
    gpd.read_file(LAD_2023).head(3).to_crs(27700).to_file(tmp_path / "part.shp")  # projected, metres
    return {f"part{ext}": (tmp_path / f"part{ext}").read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj")}


def test_zip_without_a_shapefile(tmp_path):
    bad = _make_zip(tmp_path / "notes.zip", {"readme.txt": b"hello"})
    with pytest.raises(BoundaryFileError, match=r"notes\.zip: .*no boundary layer"):
        read_councils(bad)


def test_shapefile_without_its_dbf(tmp_path):
    parts = _shapefile_parts(tmp_path)
    del parts["part.dbf"]
    with pytest.raises(BoundaryFileError, match=r"nodbf\.zip: .*no \.dbf"):
        read_councils(_make_zip(tmp_path / "nodbf.zip", parts))
    (tmp_path / "part.dbf").unlink()
    with pytest.raises(BoundaryFileError, match=r"part\.shp: .*no \.dbf"):
        read_councils(tmp_path / "part.shp")


@needs_shared_files
def test_file_without_a_council_code_column():
    with pytest.raises(BoundaryFileError, match=r"CTRY_DEC_2022_UK_BUC\.geojson: no column holds ONS council codes"):
        read_councils(COUNTRIES)


@pytest.mark.parametrize("source", [LAD_2013_GB, LAD_2023])
def test_truncated_file(tmp_path, source):
    truncated = tmp_path / source.name
    truncated.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(BoundaryFileError, match=source.name.replace(".", r"\.")):
        read_councils(truncated)


@pytest.mark.parametrize("member", ["/tmp/escaped/evil.shp", "../evil.shp", "a/../../evil.shp"])
def test_zip_with_unsafe_member_paths(tmp_path, monkeypatch, member):
    """Nothing is written outside the folder the archive is unpacked into: the temporary folder
    is put two levels down in ``tmp_path``, so a file climbing out of it would land in ``tmp_path``."""
    parts = _shapefile_parts(tmp_path)
    parts[member.replace("evil", "part")] = parts.pop("part.shp")
    zipped = _make_zip(tmp_path / "unsafe.zip", {k.replace("part.shp", "evil.shp"): v for k, v in parts.items()})
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    with pytest.raises(BoundaryFileError, match="unsafe path"):
        read_councils(zipped)
    assert not list(tmp_path.rglob("evil.shp")) and not Path("/tmp/escaped/evil.shp").exists()


def test_zip_that_unpacks_beyond_the_limit(tmp_path):
    bomb = write_zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 5_000_000
    with pytest.raises(BoundaryFileError, match=r"bomb\.zip: the archive would unpack to .* MB"):
        read_councils(bomb)


def test_projected_file_without_crs_is_refused(tmp_path):
    parts = _shapefile_parts(tmp_path)
    del parts["part.prj"]
    with pytest.raises(BoundaryFileError, match="no coordinate system is declared"):
        read_councils(_make_zip(tmp_path / "noprj.zip", parts))


@needs_shared_files
def test_bad_input_writes_nothing_into_the_cache(tmp_path, empty_cache):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / LAD_2023.name).write_bytes(LAD_2023.read_bytes()[:1000])
    with pytest.raises(BoundaryFileError):
        load_vintage("2023", folder)
    assert not empty_cache.exists() or not any(empty_cache.rglob("*.parquet"))


@needs_shared_files
def test_command_line_reports_bad_input_without_a_traceback(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / LAD_2023.name).write_bytes(b"not a zip at all")
    result = subprocess.run(
        [sys.executable, "-m", "sharedservices", "geodata", "build", "--vintage", "2023", "--source", str(folder)],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        env={"SHAREDSERVICES_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "LAD_MAY_2023_UK_BUC.zip" in result.stderr and "not a readable zip" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cache").exists()
