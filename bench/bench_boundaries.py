"""Benchmark the boundary layers: build and load times, layer size, quality; against the naive way.

The naive way is what a map would do without this library: read the ONS file as it is on every
page load and send it to the browser unsimplified. Prints one JSON object per vintage; no
assertions (figures on a shared machine are for reading, not for failing a build).

Run: .venv/bin/python bench/bench_boundaries.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402

from sharedservices import settings  # noqa: E402
from sharedservices.vintages import load_vintage, source_files  # noqa: E402


def best_of(runs: int, action) -> float:
    """Fastest of several runs, seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def naive_layer(files: list[Path]) -> tuple[float, int]:
    """Read the raw files as they are and serialise them as GeoJSON: seconds, bytes."""
    started = time.perf_counter()
    frames = [gpd.read_file(f) for f in files]
    frames = [f.set_crs(4326) if f.crs is None else f.to_crs(4326) for f in frames]
    size = sum(len(f.to_json(drop_id=True, separators=(",", ":"))) for f in frames)
    return time.perf_counter() - started, size


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        settings.CACHE_DIR = Path(cache)
        for vintage in ("2013", "2023"):
            files = source_files(vintage)
            started = time.perf_counter()
            built = load_vintage(vintage)
            build_s = time.perf_counter() - started
            load_s = best_of(5, lambda vintage=vintage: load_vintage(vintage))
            naive_s, naive_bytes = naive_layer(files)
            info = built.info
            print(
                json.dumps(
                    {
                        "vintage": vintage,
                        "councils": info["councils"],
                        "counties": info["counties"],
                        "build_seconds": round(build_s, 2),
                        "load_cached_seconds": round(load_s, 3),
                        "naive_read_raw_seconds": round(naive_s, 3),
                        "layer_bytes": info["layer_bytes"],
                        "naive_layer_bytes": naive_bytes,
                        "budget_bytes": settings.LAYER_BUDGET_BYTES,
                        "vertices": info["vertices"],
                        "source_vertices": info["source_vertices"],
                        "simplify_tolerance_m": info["simplify_tolerance_m"],
                        "invalid_geometries": info["invalid_geometries"],
                        "invalid_edges": info["invalid_edges"],
                        "overlaps_km2": info["overlaps_km2"],
                        "gaps_km2": info["gaps_km2"],
                    }
                )
            )


def densified() -> None:
    """The 2023 file densified to a 20 m resolution, as the files users usually download."""
    import shapely

    from sharedservices.vintages import build_vintage

    with tempfile.TemporaryDirectory() as folder:
        source = gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip")
        source["geometry"] = shapely.segmentize(source.geometry.values, 20.0)
        dense = Path(folder) / "dense.gpkg"
        source.to_file(dense, driver="GPKG")
        info = build_vintage("2023", [dense]).info
        print(
            json.dumps(
                {
                    "vintage": "2023 densified to 20 m",
                    "file_bytes": dense.stat().st_size,
                    "source_vertices": info["source_vertices"],
                    "layer_bytes": info["layer_bytes"],
                    "build_seconds": info["build_seconds"],
                    "simplify_tolerance_m": info["simplify_tolerance_m"],
                    "invalid_geometries": info["invalid_geometries"],
                    "overlaps_km2": info["overlaps_km2"],
                    "gaps_km2": info["gaps_km2"],
                }
            )
        )


if __name__ == "__main__":
    main()
    densified()
