"""Benchmark: matching council names and building links, against naive ways of doing the same.

Prints figures (no asserts). Uses the real boundary vintages (``vintages.load_councils``) and
synthetic data: a 1,000-row table of messy council names, every council's name written with its
type but not always "Council" ("Cotswold District", "WIGAN METROPOLITAN BOROUGH"), and 10,000
random arrangements.

Run: ``.venv/bin/python bench/bench_arrangements.py``
"""

from __future__ import annotations

import difflib
import itertools
import math
import random
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharedservices import settings  # noqa: E402
from sharedservices.errors import BoundaryWarning  # noqa: E402
from sharedservices.links import NEIGHBOUR_TOLERANCE_M, build_links, council_index  # noqa: E402
from sharedservices.matching import build_register, normalise  # noqa: E402
from sharedservices.vintages import load_councils  # noqa: E402

ROWS = 1_000
ARRANGEMENTS = 10_000
NAIVE_SHARE = 10  # the slowest naive ways run on 1/NAIVE_SHARE of the data, then scale up


def messy_rows(names: dict[str, str], rows: int, seed: int = 1) -> list[list[tuple[str, str]]]:
    """Rows of 2-5 (written name, true code): suffixes, case, '&', stray spaces, 10% typos."""
    rng = random.Random(seed)
    codes = sorted(names)
    suffixes = [
        "",
        " Council",
        " District Council",
        " Borough Council",
        " County Council",
        " DC",
        " BC",
        " CC",
        " City Council",
        "  council ",
    ]
    table = []
    for _ in range(rows):
        row = []
        for code in rng.sample(codes, rng.randint(2, 5)):
            name = names[code].replace(" and ", rng.choice([" and ", " & "]))
            name = rng.choice([name, name.upper(), name.lower(), f" {name}"]) + rng.choice(suffixes)
            if rng.random() < 0.1 and len(name) > 6:
                i = rng.randrange(2, len(name) - 2)
                name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            row.append((name, code))
        table.append(row)
    return table


#: How other tables write a council's type, by the type in the councils table ("{}" is its name).
TYPE_WORD_FORMS = {
    "county": ["{} County", "The {} County Council"],
    "district": ["{} District", "{} Borough", "Borough of {}", "{} District Council"],
    "unitary": ["{} Borough", "{} City", "The Borough of {}"],
    "metropolitan borough": [
        "{} Metropolitan Borough",
        "City of {} Metropolitan District",
        "{} Metropolitan District Council",
        "Metropolitan Borough of {}",
    ],
    "london borough": ["{} London Borough", "London Borough of {}", "The Royal Borough of {}"],
    "welsh principal area": ["{} County Borough", "{} County", "City and County of {}"],
    "ni district": ["{} Borough", "{} District", "{} City"],
}


def type_word_names(councils: dict[str, pd.DataFrame], seed: int = 2) -> list[tuple[str, str]]:
    """(written name, true code): every council of every vintage in each form of its type, in
    upper, lower or its own case, with "&" for "and" half the time."""
    rng = random.Random(seed)
    table = pd.concat(councils.values()).drop_duplicates("code").sort_values("code")
    out = []
    for code, name, kind in zip(table["code"], table["name"], table["type"]):
        plain = re.sub(r", (?:City|County) of$", "", name)
        for form in TYPE_WORD_FORMS.get(kind, []):
            written = form.format(plain).replace(" and ", rng.choice([" and ", " & "]))
            out.append((rng.choice([written, written.upper(), written.lower()]), code))
    return out


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def bench_matching(councils: dict[str, pd.DataFrame]) -> None:
    register, build_s = timed(build_register, councils)
    table = messy_rows(register.names, ROWS)
    written = [name for row in table for name, _ in row]
    truth = [code for row in table for _, code in row]
    typed = type_word_names(councils)
    print(
        f"Matching: {ROWS:,} rows, {len(written):,} council names, {len(register.names):,} councils "
        f"known across vintages {', '.join(sorted(councils))}"
    )
    print(f"  build the name register (once per set of vintages)   {build_s * 1000:8.0f} ms")

    normalise.cache_clear()
    matcher = register.matcher("2023")
    matches, ours_s = timed(matcher.match_many, written)
    # Right: the council(s) of the 2023 map that cover the area of the council the name was made from.
    expected = [set(matcher.match(code).codes) for code in truth]
    print(
        f"  this library (normalise, dicts, rapidfuzz on misses) {ours_s * 1000:8.0f} ms   {right_and_wrong(matches, expected)}"
    )

    typed_matcher = register.matcher("2023")
    typed_matches, typed_s = timed(typed_matcher.match_many, [name for name, _ in typed])
    typed_expected = [set(matcher.match(code).codes) for _, code in typed]
    print(f"  type words: {len(typed):,} names as 'X District', 'X County Borough', 'WIGAN METROPOLITAN BOROUGH'")
    print(
        f"  this library, type-word names                        {typed_s * 1000:8.0f} ms   "
        f"{right_and_wrong(typed_matches, typed_expected)}"
    )

    choices = list(register.names.values())
    codes = list(register.names)

    def naive_rapidfuzz(names):
        return [process.extractOne(name, choices)[2] for name in names]

    found, naive_s = timed(naive_rapidfuzz, written)
    right = sum(bool(set(matcher.match(codes[i]).codes) & want) for i, want in zip(found, expected))
    print(
        f"  naive: rapidfuzz extractOne against every name       {naive_s * 1000:8.0f} ms   "
        f"right {right / len(written):6.1%}  wrong {1 - right / len(written):5.1%}  (always guesses)"
    )
    found = naive_rapidfuzz([name for name, _ in typed])
    right = sum(bool(set(matcher.match(codes[i]).codes) & want) for i, want in zip(found, typed_expected))
    print(
        f"  naive: rapidfuzz extractOne, type-word names                   "
        f"right {right / len(typed):6.1%}  wrong {1 - right / len(typed):5.1%}  (always guesses)"
    )

    lowered = [c.lower() for c in choices]
    part = written[: len(written) // NAIVE_SHARE]

    def naive_difflib(names):
        return [difflib.get_close_matches(name.strip().lower(), lowered, n=1, cutoff=0.0) for name in names]

    _, difflib_s = timed(naive_difflib, part)
    print(
        f"  naive: pure-Python difflib against every name       {difflib_s * NAIVE_SHARE * 1000:8.0f} ms   "
        f"(timed on {len(part):,} names, scaled up)"
    )


def right_and_wrong(matches: list, expected: list[set[str]]) -> str:
    """Shares of names matched to a right council, to a wrong one, and how they were matched."""
    right = sum(bool(set(m.codes) & want) for m, want in zip(matches, expected))
    wrong = sum(m.ok and not set(m.codes) & want for m, want in zip(matches, expected))
    hows = pd.Series([m.how for m in matches]).value_counts().to_dict()
    return f"right {right / len(matches):6.1%}  wrong {wrong / len(matches):5.1%}  {hows}"


def random_long(codes: np.ndarray, count: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 7, size=count)
    return pd.DataFrame(
        {
            "arrangement_id": np.repeat([f"a{i}" for i in range(count)], sizes),
            "code": rng.choice(codes, size=sizes.sum()),
            "role": np.where(rng.random(sizes.sum()) < 0.2, "lead", "member"),
            "services": "ict",
            "status": "operational",
        }
    )


def naive_links(long: pd.DataFrame, councils: pd.DataFrame) -> list[dict]:
    """Per pair, in Python: attribute lookups, shapely distance check, haversine."""
    metric = councils.to_crs(settings.WORK_CRS).set_index("code")
    rows = {code: row for code, row in metric.iterrows()}
    points = councils.set_index("code")[["lon", "lat"]].to_dict("index")
    links = []
    for aid, group in long.groupby("arrangement_id", sort=False):
        for a, b in itertools.combinations(sorted(set(group["code"])), 2):
            ra, rb = rows[a], rows[b]
            pa, pb = points[a], points[b]
            lat_a, lat_b = math.radians(pa["lat"]), math.radians(pb["lat"])
            h = (
                math.sin((lat_b - lat_a) / 2) ** 2
                + math.cos(lat_a) * math.cos(lat_b) * math.sin(math.radians(pb["lon"] - pa["lon"]) / 2) ** 2
            )
            links.append(
                {
                    "arrangement_id": aid,
                    "code_a": a,
                    "code_b": b,
                    "cross_county": ra["upper_tier_code"] != rb["upper_tier_code"],
                    "cross_region": ra["region_code"] != rb["region_code"],
                    "cross_nation": ra["nation"] != rb["nation"],
                    "adjacent": ra.geometry.distance(rb.geometry) <= NEIGHBOUR_TOLERANCE_M,
                    "distance_km": 2 * 6371.0088 * math.asin(math.sqrt(h)),
                }
            )
    return links


def bench_links(councils: pd.DataFrame) -> None:
    long = random_long(councils["code"].to_numpy(), ARRANGEMENTS)
    print(f"\nLinks: {ARRANGEMENTS:,} random arrangements of 2-6 councils ({len(long):,} memberships), {len(councils)} councils")
    index, index_s = timed(council_index, councils)
    print(f"  neighbour index (STRtree, once per councils table)   {index_s * 1000:8.0f} ms")
    pairs, pairs_s = timed(build_links, long, index)
    print(f"  this library, every pair                             {pairs_s * 1000:8.0f} ms   {len(pairs):,} links")
    hub, hub_s = timed(lambda: build_links(long, index, mode="hub"))
    print(f"  this library, hub and spoke                          {hub_s * 1000:8.0f} ms   {len(hub):,} links")
    part = long[long["arrangement_id"].isin([f"a{i}" for i in range(ARRANGEMENTS // NAIVE_SHARE)])]
    naive, naive_s = timed(naive_links, part, councils)
    print(
        f"  naive per-pair Python loop with shapely              {naive_s * NAIVE_SHARE * 1000:8.0f} ms   "
        f"(timed on {len(naive):,} links of {ARRANGEMENTS // NAIVE_SHARE:,} arrangements, scaled up)"
    )


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        councils = {vintage: load_councils(vintage) for vintage in ("2013", "2023")}
    bench_matching(councils)
    bench_links(councils["2023"])


if __name__ == "__main__":
    main()
