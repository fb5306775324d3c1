"""Every benchmark in one run, and one table of their figures, each beside its naive counterpart.

Runs each script under bench/ in turn (one at a time, so they do not share the two cores), reads
the JSON objects each prints, and prints one Markdown table: the figure, ours, the naive way's
(the ONS file as it is in one folium.GeoJson, one PolyLine per link, everything rebuilt per change),
and how many times better ours is. Then the room-full-of-users figures (bench/load.py, 20 and 50
sessions). Nothing is asserted: a shared machine's seconds are for reading.

Run: make bench   (or .venv/bin/python bench/all.py [--only load map])
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The benchmarks, cheap first, with their arguments.
SCRIPTS = [
    "bench_reorganisation.py",
    "bench_boundaries.py",
    "bench_arrangements.py",
    "bench_exports.py",
    "bench_map.py",
    "bench_pages.py",
    "bench_serving.py",
    "bench_uploads.py",
    "load.py --sessions 20 --seconds 60",
    "load.py --sessions 50 --seconds 60",
]


def figures_of(output: str) -> dict:
    """Every number in the JSON objects a script printed, flattened to ``a.b.c`` names."""
    found: dict = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found[prefix] = value

    for line in output.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                walk("", json.loads(line))
            except json.JSONDecodeError:
                continue
    return found


def paired(figures: dict) -> list[tuple[str, float, float | None]]:
    """(name, ours, naive) rows: a figure named ``naive_X`` (or ``X_naive``) is the naive
    counterpart of ``X`` and goes beside it rather than on a row of its own."""
    naive = {}
    for name, value in figures.items():
        plain = naive_of(name)
        if plain != name:
            naive[plain] = value
    ours = {name: value for name, value in figures.items() if name.replace("naive_", "").replace("_naive", "") == name}
    rows: list[tuple[str, float, float | None]] = [(name, value, naive.get(name)) for name, value in ours.items()]
    # A naive figure with no figure of ours of the same name keeps a row of its own.
    return rows + [(name, value, None) for name, value in figures.items() if name not in ours and naive_of(name) not in ours]


def naive_of(name: str) -> str:
    return name.replace("naive_", "").replace("_naive", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only the scripts whose names contain these words")
    args = parser.parse_args()
    rows: list[tuple[str, str, float, float | None]] = []
    started = time.monotonic()
    for command in SCRIPTS:
        if args.only and not any(word in command for word in args.only):
            continue
        script, *options = command.split()
        print(f"running {command} …", file=sys.stderr, flush=True)
        run = subprocess.run([sys.executable, str(HERE / script), *options], capture_output=True, text=True, cwd=HERE.parent)
        if run.returncode:
            print(f"{command} failed ({run.returncode}):\n{run.stderr[-2000:]}", file=sys.stderr)
        label = command.replace(".py", "").replace("bench_", "")
        rows.extend((label, name, ours, naive) for name, ours, naive in paired(figures_of(run.stdout)))
    print("| benchmark | figure | ours | naive | naive ÷ ours |")
    print("|---|---|---:|---:|---:|")
    for label, name, ours, naive in rows:
        ratio = f"{naive / ours:.1f}×" if naive is not None and ours not in (0, None) else ""
        print(f"| {label} | {name} | {ours:g} | {'' if naive is None else f'{naive:g}'} | {ratio} |")
    print(f"\n{len(rows)} figures in {time.monotonic() - started:.0f} s; command: make bench")


if __name__ == "__main__":
    main()
