"""Benchmark planned vintages: building 2027 and 2028 from the cached 2023 layers.

Prints one JSON object per planned vintage: seconds to build from the cached current vintage
(best of 3; the target is under 5 s), seconds to load the built layers from the cache, layer size
(bytes of compact GeoJSON, budget 600 KB) and coverage quality. No assertions.

Run: .venv/bin/python bench/bench_reorganisation.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharedservices import settings  # noqa: E402
from sharedservices.reorganisation import build_planned_vintage, load_planned_vintage, load_table  # noqa: E402
from sharedservices.vintages import load_vintage  # noqa: E402


def best_of(runs: int, action) -> tuple[float, object]:
    """Fastest of several runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    base = load_vintage("2023")  # the cached current vintage (built once if the cache is cold)
    table_s, table = best_of(3, lambda: load_table(councils=base.councils))
    with tempfile.TemporaryDirectory() as cache:
        settings.CACHE_DIR = Path(cache)
        for vintage in ("2027", "2028"):
            build_s, built = best_of(3, lambda vintage=vintage: build_planned_vintage(vintage, base, table))
            load_planned_vintage(vintage)  # writes this cache (the base is built into it once)
            load_s, _ = best_of(5, lambda vintage=vintage: load_planned_vintage(vintage))
            info = built.info
            print(
                json.dumps(
                    {
                        "vintage": vintage,
                        "as_of": info["as_of"],
                        "new_councils": len(info["new_councils"]),
                        "councils": info["councils"],
                        "counties": info["counties"],
                        "read_and_check_table_seconds": round(table_s, 3),
                        "build_from_cached_2023_seconds": round(build_s, 3),
                        "load_cached_seconds": round(load_s, 3),
                        "layer_bytes": info["layer_bytes"],
                        "budget_bytes": settings.LAYER_BUDGET_BYTES,
                        "base_layer_bytes": base.info["layer_bytes"],
                        "invalid_geometries": info["invalid_geometries"],
                        "invalid_edges": info["invalid_edges"],
                        "overlaps_km2": info["overlaps_km2"],
                        "gaps_km2": info["gaps_km2"],
                    }
                )
            )


if __name__ == "__main__":
    main()
