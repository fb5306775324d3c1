"""Arrangements -> links between councils, flags and arcs (sharedservices.links)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sharedservices.links import (
    LINK_COLUMNS,
    build_links,
    council_index,
    great_circle_km,
    link_arcs,
    link_counts,
    neighbour_pairs,
)
from tests.fixtures import fixture_councils


@pytest.fixture(scope="module")
def councils():
    return fixture_councils("2013")


@pytest.fixture(scope="module")
def index(councils):
    return council_index(councils)


@pytest.fixture(scope="module")
def real_2023():
    from sharedservices.vintages import load_councils

    return load_councils("2023")


def long_table(*arrangements: tuple[str, list[str], str | None]) -> pd.DataFrame:
    """(id, member codes, lead code or None) -> a minimal canonical long table."""
    rows = [
        {
            "arrangement_id": aid,
            "code": code,
            "role": "lead" if code == lead else "member",
            "services": "ict",
            "status": "operational",
        }
        for aid, codes, lead in arrangements
        for code in codes
    ]
    return pd.DataFrame(rows)


def pairs_of(links: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(row.code_a, row.code_b): row for row in links.itertuples()}


def test_neighbours_share_a_border_or_overlap(councils):
    pairs = set(neighbour_pairs(councils).itertuples(index=False, name=None))
    assert ("E07000201", "E07000204") in pairs  # Forest Heath and St Edmundsbury share an edge
    assert ("E07000201", "E10000029") in pairs  # a county and its own district overlap
    assert ("E07000143", "E10000029") in pairs  # Breckland (Norfolk) touches Suffolk's border
    assert ("E10000020", "E10000029") in pairs  # Norfolk and Suffolk
    assert ("E07000140", "E07000143") not in pairs  # South Holland and Breckland are apart
    assert ("E09000013", "E09000033") not in pairs  # Hammersmith and Fulham, Westminster
    assert all(a < b for a, b in pairs)


def test_real_neighbours(real_2023):
    pairs = set(neighbour_pairs(real_2023).itertuples(index=False, name=None))
    assert ("E07000200", "E07000203") in pairs  # Babergh, Mid Suffolk
    assert ("E07000200", "E10000029") in pairs  # Babergh, Suffolk
    assert ("W06000014", "W06000015") in pairs  # Vale of Glamorgan, Cardiff
    assert ("E07000140", "E07000143") not in pairs  # South Holland, Breckland
    assert ("E06000046", "E10000014") not in pairs  # Isle of Wight, Hampshire: the Solent between
    assert ("E08000012", "E08000015") not in pairs  # Liverpool, Wirral: the Mersey between


def test_every_pair_of_members_with_flags(index):
    long = long_table(
        ("tri-borough", ["E09000013", "E09000020", "E09000033"], "E09000033"),
        ("breckland-south-holland", ["E07000143", "E07000140"], None),
        ("fh-se", ["E07000204", "E07000201"], None),
        ("cardiff-belfast", ["W06000015", "N09000003"], None),
        ("suffolk-and-district", ["E10000029", "E07000200"], None),
    )
    links = build_links(long, index)
    assert list(links.columns) == LINK_COLUMNS and len(links) == 3 + 1 + 1 + 1 + 1
    got = pairs_of(links)
    assert set(got) >= {("E09000013", "E09000020"), ("E09000013", "E09000033"), ("E09000020", "E09000033")}
    breck = got[("E07000140", "E07000143")]
    assert (breck.cross_county, breck.cross_region, breck.cross_nation, breck.adjacent) == (True, True, False, False)
    fhse = got[("E07000201", "E07000204")]
    assert (fhse.cross_county, fhse.cross_region, fhse.adjacent) == (False, False, True)
    assert got[("N09000003", "W06000015")].cross_nation
    county = got[("E07000200", "E10000029")]
    assert (county.cross_county, county.adjacent) == (False, True)
    assert links["services"].eq("ict").all() and links["status"].eq("operational").all()
    assert str(links["adjacent"].dtype) == "boolean"


def test_distances_are_great_circle_km(index):
    links = build_links(long_table(("fh-se", ["E07000201", "E07000204"], None)), index)
    # Fixture points 0.2 degrees of latitude apart on the same meridian: 0.2 * 111.195 km.
    assert links["distance_km"].iloc[0] == pytest.approx(22.239, abs=0.01)
    assert great_circle_km(0, 51.5, 0, 52.5) == pytest.approx(111.195, abs=0.01)
    assert great_circle_km(-0.1276, 51.5072, -3.1791, 51.4816) == pytest.approx(211, abs=2)  # London-Cardiff


def test_hub_and_spoke_from_the_lead(index):
    long = long_table(("tri-borough", ["E09000013", "E09000020", "E09000033"], "E09000033"))
    links = build_links(long, index, mode="hub")
    assert links["code_a"].tolist() == ["E09000033", "E09000033"]
    assert links["code_b"].tolist() == ["E09000013", "E09000020"]
    assert links["adjacent"].tolist() == [False, True]


def test_hub_and_spoke_from_the_members_centre(index, councils):
    long = long_table(("three-counties", ["E07000143", "E07000140", "E10000029"], None))
    links = build_links(long, index, mode="hub")
    assert len(links) == 3 and links["code_a"].isna().all()
    assert links["adjacent"].isna().all()
    hub = links[["lon_a", "lat_a"]].drop_duplicates()
    assert len(hub) == 1
    points = councils.set_index("code").loc[["E07000143", "E07000140", "E10000029"], ["lon", "lat"]]
    assert hub["lon_a"].iloc[0] == pytest.approx(points["lon"].mean(), abs=0.01)
    assert hub["lat_a"].iloc[0] == pytest.approx(points["lat"].mean(), abs=0.01)
    # Spokes from a centre point carry the arrangement's own flags.
    assert links["cross_county"].all() and links["cross_region"].all() and not links["cross_nation"].any()
    counts = link_counts(links)
    assert (counts["councils"], counts["non_adjacent"]) == (3, 0)


def test_arrangements_with_one_council_or_repeated_codes(index):
    long = long_table(("merged", ["E07000245"], None), ("twice", ["E07000201", "E07000204"], None))
    long = pd.concat([long, long.tail(1)], ignore_index=True)
    long = long[long["code"] != "E07000245"]
    assert len(build_links(long, index)) == 1
    assert len(build_links(long_table(("solo", ["E07000201"], None)), index, mode="hub")) == 0
    empty = build_links(long.iloc[:0], index)
    assert list(empty.columns) == LINK_COLUMNS and empty.empty


def test_bad_arguments(index):
    with pytest.raises(ValueError, match="not in this councils table .*E07000245"):
        build_links(long_table(("x", ["E07000245", "E07000201"], None)), index)
    with pytest.raises(ValueError, match="Unknown link mode"):
        build_links(long_table(("x", ["E07000204", "E07000201"], None)), index, mode="star")


def test_a_councils_table_is_accepted_in_place_of_an_index(councils, index):
    long = long_table(("fh-se", ["E07000201", "E07000204"], None))
    pd.testing.assert_frame_equal(build_links(long, councils), build_links(long, index))


def test_link_counts(index):
    long = long_table(
        ("tri-borough", ["E09000013", "E09000020", "E09000033"], "E09000033"),
        ("breckland-south-holland", ["E07000143", "E07000140"], None),
        ("cardiff-belfast", ["W06000015", "N09000003"], None),
    )
    assert link_counts(build_links(long, index)) == {
        "arrangements": 3,
        "councils": 7,
        "links": 5,
        "cross_county": 5,
        "cross_region": 2,
        "cross_nation": 1,
        "non_adjacent": 3,
    }


def test_arcs():
    links = pd.DataFrame({"lon_a": [0.0, -3.18], "lat_a": [52.0, 51.48], "lon_b": [1.0, -5.93], "lat_b": [52.0, 54.6]})
    lines = link_arcs(links, points=9)
    assert len(lines) == 2 and all(len(line) == 9 for line in lines)
    assert lines[0][0] == [52.0, 0.0] and lines[0][-1] == [52.0, 1.0]
    assert lines[1][0] == [51.48, -3.18] and lines[1][-1] == [54.6, -5.93]
    assert lines[0][4][0] > 52.0  # going east, the arc bends to the left: north
    straight = link_arcs(links, points=5, bend=0.0)[0]
    assert [p[0] for p in straight] == [52.0] * 5
    assert np.allclose([p[1] for p in straight], [0, 0.25, 0.5, 0.75, 1])


def test_ten_thousand_arrangements_give_consistent_links(real_2023):
    """Correctness at scale; the time is measured by bench/bench_arrangements.py, not asserted."""
    rng = np.random.default_rng(7)
    codes = real_2023["code"].to_numpy()
    sizes = rng.integers(2, 7, size=10_000)
    long = pd.DataFrame(
        {
            "arrangement_id": np.repeat([f"a{i}" for i in range(len(sizes))], sizes),
            "code": rng.choice(codes, size=sizes.sum()),
            "role": np.where(rng.random(sizes.sum()) < 0.2, "lead", "member"),
            "services": "ict",
            "status": "operational",
        }
    )
    index = council_index(real_2023)
    pairs = build_links(long, index)
    hub = build_links(long, index, mode="hub")
    assert len(pairs) > 50_000 and len(hub) > 20_000
    sample = pairs.sample(200, random_state=1)
    touching = set(neighbour_pairs(real_2023).itertuples(index=False, name=None))
    assert all(row.adjacent == ((row.code_a, row.code_b) in touching) for row in sample.itertuples())


def test_links_between_the_same_two_places_fan_out_to_one_side():
    from sharedservices.links import fanned_bends, link_arcs

    links = pd.DataFrame(
        {
            "lon_a": [1.0, 1.0, 2.0, 1.0],
            "lat_a": [50.0, 50.0, 51.0, 50.0],
            "lon_b": [2.0, 2.0, 1.0, 3.0],
            "lat_b": [51.0, 51.0, 50.0, 52.0],
        }
    )
    bends = fanned_bends(links, bend=0.2, step=0.1)
    assert bends.tolist() == pytest.approx([0.2, 0.3, -0.4, 0.2])  # the third runs the other way
    arcs = link_arcs(links, points=5, bend=bends)
    middles = [tuple(arc[2]) for arc in arcs[:3]]
    assert len(set(middles)) == 3  # three lines, not one drawn three times
    # Seen from the first place, every middle lies on the same side of the straight line.
    sides = [(lon - 1.0) * 1.0 - (lat - 50.0) * 1.0 for lat, lon in middles]
    assert all(side < 0 for side in sides) or all(side > 0 for side in sides)
