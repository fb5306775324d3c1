"""Boundary vintages: find their files, build web-ready layers, cache them.

A vintage (``"2013"``, ``"2023"``) is a set of boundary files listed in ``geodata/sources.toml``.
Building one reads the files (``boundaries.read_many``), makes the districts a clean polygon
coverage in British National Grid (shapely ``coverage_clean``: shared edges identical, no gaps,
no overlaps), simplifies it with ``coverage_simplify`` at the tolerance that brings the whole-UK
layer under the size budget, rounds coordinates to about 1 m, dissolves English districts into
their counties, and caches the result as GeoParquet keyed by the input files' hashes and the
build parameters, so a vintage is rebuilt only when an input changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sharedservices import ons, settings
from sharedservices.boundaries import READABLE_SUFFIXES, read_many, repair_polygons
from sharedservices.domain import DISTRICT_LEVEL_PREFIXES, PLANNED_VINTAGES, built_in_vintages, listed_vintages, sources_toml
from sharedservices.errors import BoundaryFileError, BoundaryWarning, UnknownVintageError
from sharedservices.hierarchy import hierarchy_columns

log = logging.getLogger(__name__)

#: A label for a vintage built from the user's own files.
VINTAGE_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
#: Metres in a degree of latitude, to express tolerances in WGS84 degrees.
METRES_PER_DEGREE = 111_320.0

COLUMNS = [
    "code",
    "name",
    "type",
    "upper_tier_code",
    "county_name",
    "region_code",
    "region_name",
    "nation",
    "lon",
    "lat",
    "area_km2",
    "geometry",
]


@dataclass
class Vintage:
    """The web layers of one boundary vintage (all geometries WGS84, EPSG:4326).

    ``districts`` holds every lower-tier or single-tier council (districts, unitaries, boroughs,
    Welsh, Scottish and NI councils); ``counties`` the English county councils dissolved from
    their districts. ``info`` is the build report (counts, quality, size, timing).
    """

    vintage: str
    districts: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    info: dict = field(default_factory=dict)

    @cached_property
    def councils(self) -> gpd.GeoDataFrame:
        """Districts and counties in one table: every council an arrangement can name (made once;
        callers must not change it)."""
        return gpd.GeoDataFrame(pd.concat([self.districts, self.counties], ignore_index=True), crs=settings.WEB_CRS)

    @cached_property
    def council_names(self) -> pd.Series:
        """GSS code -> council name, for every council (made once; callers must not change it)."""
        return self.councils.set_index("code")["name"]


def vintage_sources(vintage: str) -> dict:
    """The entry of ``geodata/sources.toml`` for a vintage (label, attribution, layers)."""
    sources = sources_toml()["vintages"]
    if vintage not in sources:
        raise UnknownVintageError(f"Unknown boundary vintage {vintage!r}; known: {', '.join(sorted(sources))}.")
    return sources[vintage]


def local_geodata_dir() -> Path | None:
    """The folder of local boundary files: ``$GEODATA_DIR``, else ../shared/geodata, else None."""
    configured = os.environ.get("GEODATA_DIR")
    if configured:
        return Path(configured)
    return settings.SHARED_GEODATA_DIR if settings.SHARED_GEODATA_DIR.is_dir() else None


def source_files(vintage: str, source: str | Path | None = None) -> list[Path]:
    """The boundary files a vintage is built from.

    Parameters
    ----------
    source : None, "ons" or a folder
        A folder: the files named in sources.toml from there. ``"ons"``: downloaded from the ONS
        Open Geography Portal into the cache (once; delete the cache to download again).
        None: the local copy when every file is present, else the ONS download.
    """
    layers = vintage_sources(vintage)["layers"]
    if source is None:
        folder = local_geodata_dir()
        if folder is not None and all((folder / layer["file"]).exists() for layer in layers):
            source = folder
        else:
            source = "ons"
    if str(source) == "ons":
        return [_download(vintage, layer) for layer in layers]
    folder = Path(source)
    missing = [layer["file"] for layer in layers if not (folder / layer["file"]).exists()]
    if missing:
        raise BoundaryFileError(f"{folder}: the boundary files {', '.join(missing)} of vintage {vintage} are not there.")
    return [folder / layer["file"] for layer in layers]


def download_path(vintage: str, layer: dict) -> Path:
    """Where a layer's ONS download is cached: named by a hash of the query URL and its filter,
    so a changed query in sources.toml downloads again instead of reusing a stale file."""
    request = json.dumps([layer["ons_query"], layer.get("ons_where", "1=1"), layer.get("ons_params", {})], sort_keys=True)
    digest = hashlib.sha256(request.encode()).hexdigest()[:16]
    return settings.CACHE_DIR / "downloads" / f"{vintage}-{Path(layer['file']).stem}-{digest}.geojson"


def _download(vintage: str, layer: dict) -> Path:
    target = download_path(vintage, layer)
    if target.exists():
        log.debug("cache hit: %s", target)
    else:
        ons.fetch_layer(layer["ons_query"], target, where=layer.get("ons_where", "1=1"), extra=layer.get("ons_params"))
    return target


def available_vintages() -> tuple[str, ...]:
    """The vintages that can be loaded: the built-in ones ``geodata/sources.toml`` lists, in its
    order; those it lists as on request, once their files are here; then those built from other
    files (``geodata build --vintage LABEL --source PATH``), by label."""
    listed = listed_vintages()
    requested = tuple(v for v in listed if v not in built_in_vintages() and _files_at_hand(v))
    built = sorted(path.stem for path in (settings.CACHE_DIR / "custom").glob("*.json"))
    return built_in_vintages() + requested + tuple(label for label in built if label not in listed)


def _files_at_hand(vintage: str) -> bool:
    """True when every file of a listed vintage is here: downloaded into the cache, or local."""
    layers = vintage_sources(vintage)["layers"]
    folder = local_geodata_dir()
    return all(
        download_path(vintage, layer).exists() or (folder is not None and (folder / layer["file"]).exists()) for layer in layers
    )


def load_vintage(vintage: str, source: str | Path | None = None, *, rebuild: bool = False) -> Vintage:
    """The layers of a vintage, from the cache when its inputs have not changed, else built.

    Building writes the cache atomically (a temporary folder renamed into place), so an
    interrupted build leaves nothing half-written. A planned vintage (``"2027"``, ``"2028"``) is
    built from the cached current one by ``reorganisation.load_planned_vintage`` (and
    ``reorganisation.load_boundaries`` loads either kind). A vintage that
    sources.toml does not list is built from ``source`` (a boundary file, or a folder of them)
    under its own label, and later loaded by that label alone.
    """
    if vintage in PLANNED_VINTAGES:
        raise UnknownVintageError(f"{vintage} is a planned vintage: load it with reorganisation.load_boundaries.")
    if vintage not in listed_vintages():
        return _load_custom(vintage, source, rebuild)
    files = source_files(vintage, source)
    return _cached_or_built(vintage, files, rebuild)


def _cached_or_built(vintage: str, files: list[Path], rebuild: bool) -> Vintage:
    folder = settings.CACHE_DIR / "layers" / f"{vintage}-{_cache_key(vintage, files)}"
    if not rebuild and (folder / "info.json").exists():
        log.debug("cache hit: vintage %s from %s", vintage, folder)
        return read_cached(vintage, folder)
    log.info("building vintage %s from %s", vintage, ", ".join(p.name for p in files))
    built = build_vintage(vintage, files)
    write_cache(built, folder)
    log.info(
        "built vintage %s: %d councils, %d bytes, in %.1f s",
        vintage,
        built.info["councils"],
        built.info["layer_bytes"],
        built.info["build_seconds"],
    )
    return built


def _load_custom(label: str, source: str | Path | None, rebuild: bool) -> Vintage:
    """A vintage built from files sources.toml does not list; ``custom/LABEL.json`` remembers them."""
    pointer = settings.CACHE_DIR / "custom" / f"{label}.json"
    if source is None or str(source) == "ons":
        if not pointer.exists():
            known = ", ".join(available_vintages())
            raise UnknownVintageError(
                f"No boundary vintage {label!r} is built (known: {known}). Build it from a boundary file with "
                f"`python -m sharedservices geodata build --vintage {label} --source FILE_OR_FOLDER`."
            )
        files = [Path(f) for f in json.loads(pointer.read_text())["files"]]
        if not all(f.exists() for f in files):  # the files moved: the built layers still serve
            return read_cached(label, settings.CACHE_DIR / "layers" / json.loads(pointer.read_text())["folder"])
    else:
        if not VINTAGE_LABEL.fullmatch(label):
            raise UnknownVintageError(f"{label!r} cannot name a vintage: use letters, digits, - or _ (up to 32), e.g. 2025.")
        files = boundary_files_in(Path(source))
    built = _cached_or_built(label, files, rebuild)
    folder = f"{label}-{_cache_key(label, files)}"
    pointer.parent.mkdir(parents=True, exist_ok=True)
    staging = pointer.with_suffix(".tmp")
    staging.write_text(json.dumps({"files": [str(f.resolve()) for f in files], "folder": folder}))
    os.replace(staging, pointer)
    return built


def boundary_files_in(source: Path) -> list[Path]:
    """The boundary files at ``source``: the file itself, or every readable file (and zip) in a folder."""
    if source.is_file():
        return [source]
    if source.is_dir():
        found = sorted(p for p in source.iterdir() if p.suffix.lower() in (*READABLE_SUFFIXES, ".zip"))
        if found:
            return found
        raise BoundaryFileError(f"{source}: no boundary file there (shapefile, zip, GeoPackage, GeoJSON or TopoJSON).")
    raise BoundaryFileError(f"{source}: no such file or folder.")


@lru_cache(maxsize=8)
def _load_vintage_memo(vintage: str) -> Vintage:
    return load_vintage(vintage)


def load_councils(vintage: str) -> gpd.GeoDataFrame:
    """Every council of a vintage (districts and counties), WGS84; cached per process."""
    return _load_vintage_memo(vintage).councils


def build_vintage(vintage: str, files: list[Path]) -> Vintage:
    """Build the web layers of a vintage from its boundary files (no cache involved).

    Parameters
    ----------
    files : list of Path
        Boundary files whose councils together make the vintage.

    English councils take their county and region from what is known of their codes
    (``hierarchy.english_places``); one that nothing places is named in ``info["notes"]``.
    """
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        raw = read_many(files)
    notes = [str(w.message) for w in caught if issubclass(w.category, BoundaryWarning)]
    for note in notes:
        log.info("assumed: %s", note)
    raw = raw[raw["code"].str[:3].isin(DISTRICT_LEVEL_PREFIXES)].reset_index(drop=True)
    hierarchy = hierarchy_columns(raw["code"], vintage)
    unplaced = raw[hierarchy["region_code"].isna() & raw["code"].str.startswith("E")]
    if len(unplaced):
        named = ", ".join(f"{name} ({code})" for code, name in zip(unplaced["code"], unplaced["name"], strict=True))
        notes.append(
            f"{len(unplaced)} English councils have no known county or region (new codes that no "
            f"lookup or council change places), so they are left out of county and region filters: {named}"
        )
        log.warning("%s", notes[-1])

    work = repair_polygons(raw.to_crs(settings.WORK_CRS).geometry.values)
    source_vertices = int(shapely.get_num_coordinates(work).sum())
    if source_vertices > settings.THIN_ABOVE_VERTICES:
        # A detailed file (a 20 m one has millions of points) is thinned first, shape by shape, so
        # that cleaning costs seconds, not minutes: the cleaning that follows snaps the neighbours'
        # edges together again, and the web layer is far coarser than 10 m anyway.
        work = repair_polygons(shapely.simplify(work, settings.THIN_TO_M))
        log.info(
            "thinned %d points to %d (%.0f m) before cleaning",
            source_vertices,
            int(shapely.get_num_coordinates(work).sum()),
            settings.THIN_TO_M,
        )
    cleaned = shapely.coverage_clean(
        work,
        snapping_distance=settings.CLEAN_SNAPPING_M,
        gap_width=settings.CLEAN_GAP_WIDTH_M,
    )
    cleaned = repair_polygons(cleaned)
    points = gpd.GeoSeries(shapely.point_on_surface(cleaned), crs=settings.WORK_CRS).to_crs(settings.WEB_CRS)
    areas = gpd.GeoSeries(cleaned, crs=settings.WORK_CRS).to_crs(settings.AREA_CRS).area / 1e6

    web_geometry, tolerance = simplify_to_budget(_drop_small_islands(cleaned), raw["code"], raw["name"])
    districts = gpd.GeoDataFrame(
        {
            "code": raw["code"],
            "name": raw["name"],
            **{column: hierarchy[column] for column in hierarchy.columns},
            "lon": points.x.round(5).values,
            "lat": points.y.round(5).values,
            "area_km2": areas.round(2).values,
        },
        geometry=web_geometry,
        crs=settings.WEB_CRS,
    )[COLUMNS]
    counties = dissolve_counties(districts)
    info = {
        "vintage": vintage,
        "label": vintage_sources(vintage)["label"]
        if vintage in listed_vintages()
        else f"{vintage} (from {', '.join(p.name for p in files)})",
        "councils": int(len(districts)),
        "counties": int(len(counties)),
        "by_type": {k: int(v) for k, v in districts["code"].str[:3].value_counts().sort_index().items()},
        **layer_quality(districts),
        "layer_bytes": len(web_geojson(districts)),
        "vertices": int(shapely.get_num_coordinates(districts.geometry.values).sum()),
        "source_vertices": source_vertices,
        "simplify_tolerance_m": round(tolerance, 1),
        "build_seconds": round(time.perf_counter() - started, 2),
        "sources": [p.name for p in files],
        "notes": notes,
    }
    return Vintage(vintage, districts, counties, info)


def simplify_to_budget(
    coverage: np.ndarray, codes: pd.Series, names: pd.Series, budget_bytes: int = settings.LAYER_BUDGET_BYTES
) -> tuple[np.ndarray, float]:
    """Simplify a clean coverage (British National Grid) until its web GeoJSON fits the budget.

    The coverage is first moved to WGS84 with coordinates rounded to
    ``settings.COORDINATE_DECIMALS`` places (about 1 m) and cleaned again there, so that the
    simplified layer, whose vertices are a subset of those, needs no rounding afterwards and
    keeps identical shared edges. The tolerance starts at 25 m and grows with how far the layer
    is over budget, so a 20 m source and a 500 m source both land under it.

    Returns
    -------
    (numpy.ndarray, float)
        WGS84 geometries and the tolerance used, in metres.
    """
    web = gpd.GeoSeries(coverage, crs=settings.WORK_CRS).to_crs(settings.WEB_CRS).values
    web = shapely.transform(np.asarray(web, dtype=object), lambda xy: np.round(xy, settings.COORDINATE_DECIMALS))
    web = shapely.coverage_clean(repair_polygons(web), snapping_distance=10**-settings.COORDINATE_DECIMALS)
    tolerance, current = 25.0, web
    while True:
        degrees = tolerance / METRES_PER_DEGREE
        current = shapely.coverage_simplify(current, degrees)
        # Simplifying can close a narrow inlet between two councils into an enclosed gap: fill it.
        gap_width = max(settings.CLEAN_GAP_WIDTH_M, 2 * tolerance) / METRES_PER_DEGREE
        current = shapely.coverage_clean(current, snapping_distance=0, gap_width=gap_width)
        layer = gpd.GeoDataFrame({"code": codes.values, "name": names.values}, geometry=current, crs=settings.WEB_CRS)
        size = len(web_geojson(layer))
        if size <= budget_bytes * 0.98:
            return current, tolerance
        tolerance *= float(np.clip((size / budget_bytes) ** 1.5, 1.2, 4.0))


def _drop_small_islands(coverage: np.ndarray, min_km2: float = settings.MIN_ISLAND_KM2) -> np.ndarray:
    """Leave out islands under ``min_km2`` that touch no other council (metres CRS).

    Each council keeps its largest part; parts touching a neighbour are always kept, so no gap
    between neighbours is opened.
    """
    parts, owner = shapely.get_parts(coverage, return_index=True)
    areas = shapely.area(parts) / 1e6
    largest = pd.Series(areas).groupby(owner).transform("max").values
    small = np.where((areas < min_km2) & (areas < largest))[0]
    tree = shapely.STRtree(coverage)
    hit_part, hit_council = tree.query(parts[small], predicate="intersects")
    touching = np.unique(small[hit_part[hit_council != owner[small][hit_part]]])
    drop = np.zeros(len(parts), dtype=bool)
    drop[np.setdiff1d(small, touching)] = True
    kept = pd.DataFrame({"owner": owner[~drop], "part": parts[~drop]})
    rebuilt = kept.groupby("owner")["part"].agg(lambda p: shapely.multipolygons(list(p)) if len(p) > 1 else p.iloc[0])
    return rebuilt.reindex(range(len(coverage))).values


def dissolve_counties(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """English county councils (E10) as the union of their districts (WGS84), each with a point
    (``lat``, ``lon``) inside it but clear of its districts' points, where its links meet.

        Districts of a clean coverage share identical edges, so the union leaves no slivers. A district
        that nothing places in a county (``hierarchy.english_places``) forms no county of its own.
    """
    members = districts[(districts["type"] == "district") & districts["upper_tier_code"].str.startswith("E10")]
    rows = []
    for code, group in members.groupby("upper_tier_code", sort=True):
        shape = shapely.coverage_union_all(group.geometry.values)
        if not shape.is_valid:
            shape = shapely.union_all(group.geometry.values)
        district_nodes = shapely.buffer(shapely.points(group["lon"], group["lat"]), settings.COUNTY_NODE_CLEARANCE_DEG)
        clear = shapely.difference(shape, shapely.union_all(district_nodes))
        point = (shape if clear.is_empty else clear).representative_point()
        rows.append(
            {
                "code": code,
                "name": group["county_name"].iloc[0],
                "type": "county",
                "upper_tier_code": code,
                "county_name": group["county_name"].iloc[0],
                "region_code": group["region_code"].iloc[0],
                "region_name": group["region_name"].iloc[0],
                "nation": "England",
                "lon": round(point.x, 5),
                "lat": round(point.y, 5),
                "area_km2": round(float(group["area_km2"].sum()), 2),
                "geometry": shape,
            }
        )
    return gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs=settings.WEB_CRS)


def web_geojson(layer: gpd.GeoDataFrame) -> str:
    """The layer as compact GeoJSON (code and name properties, no spaces), as sent to browsers."""
    return layer[["code", "name", "geometry"]].to_json(drop_id=True, separators=(",", ":"), ensure_ascii=False)


def layer_quality(layer: gpd.GeoDataFrame) -> dict:
    """Quality of a district layer: invalid polygons, mismatched edges, overlaps and gaps.

    ``overlaps_km2`` is the total area where two councils overlap; ``gaps_km2`` the total area
    of holes enclosed by two or more councils (gaps between neighbours; a lake inside one council
    is not a gap), both in an equal-area CRS.
    ``invalid_edges`` counts councils with an edge that does not match its neighbour's
    (``shapely.coverage_invalid_edges``).
    """
    geometries = layer.geometry.values
    invalid = int((~shapely.is_valid(geometries)).sum())
    edges = shapely.coverage_invalid_edges(geometries)
    equal_area = gpd.GeoSeries(geometries, crs=layer.crs).to_crs(settings.AREA_CRS).values
    tree = shapely.STRtree(equal_area)
    left, right = tree.query(equal_area, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(equal_area[left[pairs]], equal_area[right[pairs]])).sum() / 1e6
    union = shapely.union_all(equal_area)
    holes = np.array([shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors], dtype=object)
    gaps = 0.0
    if len(holes):
        hole_index, council_index = tree.query(shapely.boundary(holes), predicate="intersects")
        bordering = pd.Series(council_index).groupby(hole_index).nunique()
        between_neighbours = bordering[bordering >= 2].index.to_numpy()
        gaps = float(shapely.area(holes[between_neighbours]).sum() / 1e6)
    return {
        "invalid_geometries": invalid,
        "invalid_edges": int((~shapely.is_empty(edges)).sum()),
        "overlaps_km2": round(float(overlap), 4),
        "gaps_km2": round(gaps, 4),
    }


def _cache_key(vintage: str, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for part in (
        vintage,
        settings.LAYER_BUDGET_BYTES,
        settings.COORDINATE_DECIMALS,
        settings.CLEAN_SNAPPING_M,
        settings.CLEAN_GAP_WIDTH_M,
        settings.MIN_ISLAND_KM2,
        settings.THIN_ABOVE_VERTICES,
        settings.THIN_TO_M,
        settings.COUNTY_NODE_CLEARANCE_DEG,
    ):
        digest.update(str(part).encode())
    # Counties and regions come from the lookups and the council changes; the building code itself
    # is an input too: a change to any of them rebuilds the layers.
    places = [*sorted((settings.DATA_DIR / "lookups").glob("english_districts_*.csv")), settings.DATA_DIR / "council_changes.csv"]
    code = [Path(__file__), Path(__file__).with_name("boundaries.py"), Path(__file__).with_name("hierarchy.py")]
    for path in [*files, *places, *code]:
        if path.exists():
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:16]


def write_cache(built: Vintage, folder: Path) -> None:
    """Write built layers into a cache folder atomically (a temporary folder renamed into place)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        built.districts.to_parquet(staging / "districts.parquet")
        built.counties.to_parquet(staging / "counties.parquet")
        (staging / "info.json").write_text(json.dumps(built.info, indent=1))
        try:
            os.rename(staging, folder)
        except OSError:  # another process finished the same build first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_cached(vintage: str, folder: Path) -> Vintage:
    """Layers from a cache folder written by :func:`write_cache`."""
    districts = gpd.read_parquet(folder / "districts.parquet")
    counties = gpd.read_parquet(folder / "counties.parquet")
    info = json.loads((folder / "info.json").read_text())
    return Vintage(vintage, districts, counties, info)
