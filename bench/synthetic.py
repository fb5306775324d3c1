"""Synthetic arrangements for benchmarks: real council names, random partnerships (seeded)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sharedservices.arrangements import WIDE_COLUMNS, load_categories
from sharedservices.vintages import load_vintage

STATUSES = ["operational", "operational", "operational", "ended", "proposed", "in discussion"]


def write_synthetic(path: Path, count: int, seed: int = 7) -> Path:
    """Write ``count`` made-up arrangements among the 2023 councils to a CSV (wide layout).

    Members are mostly near each other (drawn from councils within about 100 km) with some far
    partners, as real ones are.
    """
    rng = random.Random(seed)
    councils = load_vintage("2023").councils[["name", "lon", "lat"]].to_dict("records")
    services = list(load_categories()["category_id"])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(WIDE_COLUMNS[: WIDE_COLUMNS.index("last_checked") + 1])
        for number in range(count):
            first = rng.choice(councils)
            near = [c for c in councils if abs(c["lon"] - first["lon"]) < 1.5 and abs(c["lat"] - first["lat"]) < 1.0]
            members = {first["name"], *(rng.choice(near)["name"] for _ in range(rng.randint(1, 4)))}
            if rng.random() < 0.15:
                members.add(rng.choice(councils)["name"])
            if len(members) < 2:
                members.add(rng.choice(councils)["name"])
            start = rng.randint(2005, 2024)
            status = rng.choice(STATUSES)
            writer.writerow(
                [
                    f"synthetic-{number:05d}",
                    f"Synthetic partnership {number}",
                    ";".join(rng.sample(services, rng.randint(1, 3))),
                    "A made-up arrangement for benchmarks.",
                    ";".join(sorted(members)),
                    "",
                    start,
                    start + rng.randint(1, 6) if status == "ended" else "",
                    status,
                    rng.choice(["", "", "", str(rng.randint(1, 40) * 25_000)]),
                    "",
                    "https://example.org/synthetic",
                    "2026-11-23",
                ]
            )
    return path
