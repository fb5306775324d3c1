"""Read any council boundary file into one councils table.

Handles ESRI shapefiles (plain or zipped), GeoPackage, GeoJSON and TopoJSON as the ONS and others
publish them: the code and name columns are found by their contents (GSS code pattern), not by
a list of known column names; the coordinate system is taken from the file, or inferred as WGS84
when none is declared and the coordinates are longitude/latitude; invalid polygons are repaired.
"""

from __future__ import annotations

import logging
import tempfile
import time
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sharedservices import settings
from sharedservices.domain import COUNCIL_TYPES, GSS_CODE
from sharedservices.errors import BoundaryFileError, BoundaryWarning

log = logging.getLogger(__name__)

READABLE_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".topojson")


def read_councils(path: str | Path) -> gpd.GeoDataFrame:
    """Read one boundary file into a table of councils.

    Parameters
    ----------
    path : str or Path
        A zipped or plain ESRI shapefile, GeoPackage, GeoJSON or TopoJSON file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (GSS), ``name`` and ``geometry`` (valid polygons, WGS84 longitude and
        latitude in degrees, EPSG:4326), one row per council, in the file's order.

    Raises
    ------
    BoundaryFileError
        When the file is missing, unreadable, unsafe, or has no column of GSS council codes.
    """
    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(f"{path.name}: the file does not exist ({path}).")
    started = time.perf_counter()
    if path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="boundaries-") as folder:
            member = _extract_zip(path, Path(folder))
            councils = _read_plain(member, shown_name=f"{path.name} ({member.name})")
    else:
        councils = _read_plain(path, shown_name=path.name)
    log.info(
        "read %s: %d councils (%d bytes) in %.1f s", path.name, len(councils), path.stat().st_size, time.perf_counter() - started
    )
    return councils


def read_many(paths: Iterable[str | Path]) -> gpd.GeoDataFrame:
    """Read several boundary files (e.g. Great Britain and Northern Ireland) into one table.

    A council code that appears in more than one file is kept once, from the first file.
    """
    tables = [read_councils(p) for p in paths]
    combined = pd.concat(tables, ignore_index=True)
    combined = combined.drop_duplicates("code", keep="first").reset_index(drop=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=settings.WEB_CRS)


def repair_polygons(geometries: np.ndarray) -> np.ndarray:
    """Make polygons valid, keeping only their polygonal parts (CRS unchanged).

    Self-touching or self-crossing rings, as in most of the 2013 file, are rebuilt with GEOS's
    structure-preserving repair; points or lines produced by collapsed parts are dropped.
    """
    geometries = np.asarray(geometries, dtype=object)
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        fixed = shapely.make_valid(geometries[invalid], method="structure", keep_collapsed=False)
        geometries = geometries.copy()
        geometries[invalid] = [_polygonal_part(g) for g in fixed]
    return geometries


def _polygonal_part(geometry):
    if shapely.get_type_id(geometry) in (3, 6):  # Polygon, MultiPolygon
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if shapely.get_type_id(p) in (3, 6)]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polygons) if len(polygons) > 1 else (polygons[0] if polygons else shapely.Polygon())


def _extract_zip(path: Path, folder: Path) -> Path:
    """Check a zip archive is safe and holds a readable layer, extract it, return that layer."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BoundaryFileError(f"{path.name}: this is not a readable zip archive ({error}).") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in members:
            pure = PurePosixPath(member.filename.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (pure.parts and pure.parts[0].endswith(":")):
                raise BoundaryFileError(
                    f"{path.name}: the archive holds a file with an unsafe path ({member.filename!r}); it was not opened."
                )
        total = sum(m.file_size for m in members)
        if total > settings.MAX_UNZIPPED_BYTES:
            raise BoundaryFileError(
                f"{path.name}: the archive would unpack to {total / 1e6:,.0f} MB, more than the "
                f"{settings.MAX_UNZIPPED_BYTES / 1e6:,.0f} MB allowed; it was not opened."
            )
        layers = [m for m in members if PurePosixPath(m.filename).suffix.lower() in READABLE_SUFFIXES]
        shapefiles = [m for m in layers if m.filename.lower().endswith(".shp")]
        chosen = shapefiles[0] if shapefiles else (layers[0] if layers else None)
        if chosen is None:
            raise BoundaryFileError(f"{path.name}: the archive holds no boundary layer (no .shp, .gpkg, .geojson or .json file).")
        if chosen in shapefiles:
            stem = chosen.filename[:-4]
            names = {m.filename.lower() for m in members}
            if f"{stem}.dbf".lower() not in names:
                raise BoundaryFileError(
                    f"{path.name}: the shapefile {PurePosixPath(chosen.filename).name} has no .dbf "
                    "file beside it, so it has no council codes or names."
                )
        written = 0
        for member in members:
            target = folder / PurePosixPath(member.filename.replace("\\", "/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > settings.MAX_UNZIPPED_BYTES:
                        raise BoundaryFileError(
                            f"{path.name}: the archive unpacks to more than "
                            f"{settings.MAX_UNZIPPED_BYTES / 1e6:,.0f} MB; it was not opened."
                        )
                    sink.write(chunk)
        return folder / PurePosixPath(chosen.filename.replace("\\", "/"))


def _read_plain(path: Path, shown_name: str) -> gpd.GeoDataFrame:
    if path.suffix.lower() == ".shp" and not path.with_suffix(".dbf").exists() and not path.with_suffix(".DBF").exists():
        raise BoundaryFileError(f"{shown_name}: the shapefile has no .dbf file beside it, so it has no council codes or names.")
    table = None
    for layer in _layers(path, shown_name):
        try:
            candidate = pyogrio.read_dataframe(path, layer=layer)
        except Exception as error:  # GDAL reports truncated or corrupt files in many ways
            raise BoundaryFileError(
                f"{shown_name}: the file could not be read as a boundary file; it may be truncated "
                f"or damaged ({_first_line(error)})."
            ) from None
        if _find_code_column(candidate) is not None:
            table = candidate
            break
        table = table if table is not None else candidate
    if table is None or len(table) == 0:
        raise BoundaryFileError(f"{shown_name}: the file holds no features.")
    code_column = _find_code_column(table)
    if code_column is None:
        raise BoundaryFileError(
            f"{shown_name}: no column holds ONS council codes (like E07000201 or S12000033); "
            f"the columns are {', '.join(map(str, table.columns.drop('geometry', errors='ignore')))}."
        )
    name_column = _find_name_column(table, code_column)
    if name_column is None:
        warnings.warn(
            f"{shown_name}: no column of council names was found; codes are used as names.", BoundaryWarning, stacklevel=3
        )
        name_column = code_column
    table = table[table.geometry.notna() & ~table.geometry.is_empty]
    councils = gpd.GeoDataFrame(
        {"code": table[code_column].astype(str).str.strip().values, "name": table[name_column].astype(str).str.strip().values},
        geometry=list(table.geometry.values),
        crs=table.crs,
    )
    councils = _to_web_crs(councils, shown_name)
    councils["geometry"] = repair_polygons(councils.geometry.values)
    councils = councils[~councils.geometry.is_empty]
    if councils["code"].duplicated().any():
        councils = councils.dissolve("code", aggfunc="first", as_index=False)[["code", "name", "geometry"]]
    return councils.reset_index(drop=True)


def _layers(path: Path, shown_name: str) -> list[str]:
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as error:
        raise BoundaryFileError(
            f"{shown_name}: the file could not be read as a boundary file; it may be truncated, "
            f"damaged or of a kind not supported ({_first_line(error)})."
        ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _council_code_share(values: pd.Series) -> float:
    text = values.dropna().astype(str).str.strip()
    if text.empty:
        return 0.0
    matches = text.str.match(GSS_CODE) & text.str[:3].isin(list(COUNCIL_TYPES))
    return float(matches.mean())


def _find_code_column(table: pd.DataFrame) -> str | None:
    """The column most of whose values are GSS council codes, unique per row."""
    best, best_share = None, 0.0
    for column in table.columns:
        if column == "geometry" or pd.api.types.is_numeric_dtype(table[column]):
            continue
        share = _council_code_share(table[column])
        if share >= 0.9 and share > best_share:
            best, best_share = column, share
    return best


def _find_name_column(table: pd.DataFrame, code_column: str) -> str | None:
    """The column of council names: text, not codes, mostly distinct; the English one first."""
    code_stem = str(code_column).upper().removesuffix("CD").removesuffix("CODE")
    scored = []
    for column in table.columns:
        if column in ("geometry", code_column):
            continue
        values = table[column].dropna().astype(str)
        if values.empty or not values.str.contains(r"[A-Za-z]{3}").mean() > 0.9:
            continue
        if _council_code_share(values) > 0.5 or values.nunique() < 0.9 * len(table):
            continue
        upper = str(column).upper()
        score = 0
        score += 2 if upper.endswith("NM") or "NAME" in upper else 0
        score += 1 if code_stem and upper.startswith(code_stem) else 0
        score -= 1 if upper.endswith("NMW") else 0  # the Welsh-language name comes second
        scored.append((score, -list(table.columns).index(column), column))
    return max(scored)[2] if scored else None


def _to_web_crs(councils: gpd.GeoDataFrame, shown_name: str) -> gpd.GeoDataFrame:
    if councils.crs is None:
        minx, miny, maxx, maxy = councils.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            warnings.warn(
                f"{shown_name}: no coordinate system is declared; the coordinates look like "
                "longitude and latitude, so WGS84 (EPSG:4326) is assumed.",
                BoundaryWarning,
                stacklevel=4,
            )
            return councils.set_crs(settings.WEB_CRS)
        raise BoundaryFileError(
            f"{shown_name}: no coordinate system is declared and the coordinates are not longitude "
            "and latitude, so the file cannot be placed on the map. Add the projection (.prj) file "
            "or save the file with its coordinate system."
        )
    return councils.to_crs(settings.WEB_CRS)
