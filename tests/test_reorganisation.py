"""Planned councils: the table's checks, planned vintages built from 2023, arrangement outcomes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sharedservices import reorganisation as reorg
from sharedservices import settings
from sharedservices.domain import BUILT_STATUSES, DECISION_STATUSES
from sharedservices.errors import ReorganisationError
from sharedservices.links import build_links

SURREY_DISTRICTS = {
    "E07000207",
    "E07000208",
    "E07000209",
    "E07000210",
    "E07000211",
    "E07000212",
    "E07000213",
    "E07000214",
    "E07000215",
    "E07000216",
    "E07000217",
}
SURREY_CC = "E10000030"
ELMBRIDGE, EPSOM, GUILDFORD, WAVERLEY = "E07000207", "E07000208", "E07000209", "E07000216"


@pytest.fixture(scope="module")
def table(vintage_2023):
    return reorg.load_table(councils=vintage_2023.councils)


@pytest.fixture(scope="module")
def planned(vintage_2023, table):
    return {v: reorg.build_planned_vintage(v, vintage_2023, table) for v in ("2027", "2028")}


def long_of(members: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([(a, c) for a, codes in members.items() for c in codes], columns=["arrangement_id", "code"])


# --- the table -------------------------------------------------------------------------------


def test_shipped_table_passes_its_checks(vintage_2023):
    table = reorg.read_table()
    assert reorg.check_table(table, vintage_2023.councils) == []
    assert table["sources"].str.contains("http").all()
    assert set(table["status"]) <= set(DECISION_STATUSES)


def row(**overrides) -> dict:
    base = {
        "successor_id": "east-surrey",
        "successor_name": "East Surrey",
        "predecessor_codes": "E07000207;E07000208",
        "predecessor_names": "Elmbridge;Epsom and Ewell",
        "area": "Surrey",
        "status": "consulted on",
        "vesting_date": "",
        "splits": "",
        "sources": "https://example.org/decision",
        "source_date": "2026-03",
        "ons_code": "",
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"sources": ""}, "has no source"),
        ({"sources": "a council page"}, "has no source"),
        ({"predecessor_codes": "E07000207;E07999999"}, "E07999999 is not a council of the 2023 vintage"),
        ({"predecessor_codes": "E07000207;Epsom"}, "'Epsom' is not a GSS code"),
        ({"status": "agreed"}, "status 'agreed' is not one of"),
        ({"status": "decided"}, "vesting_date is empty"),
        ({"vesting_date": "1 April 2028"}, "is not a date written YYYY-MM-DD"),
        ({"predecessor_names": "Elmbridge"}, "2 predecessor codes but 1 names"),
        ({"successor_id": "East Surrey"}, "lower-case words"),
        ({"ons_code": "E07000207"}, "is not a new GSS code"),
    ],
)
def test_each_problem_is_named_with_its_row(vintage_2023, overrides, message):
    problems = reorg.check_table(pd.DataFrame([row(**overrides)]), vintage_2023.councils)
    assert any(message in p and p.startswith("row 2 (") for p in problems), problems


def test_conflicting_decisions_and_a_county_left_with_districts_are_refused(vintage_2023):
    decided = {"status": "decided", "vesting_date": "2027-04-01"}
    twice = pd.DataFrame(
        [row(**decided), row(**decided, successor_id="other", predecessor_codes="E07000207", predecessor_names="Elmbridge")]
    )
    assert any(
        "Elmbridge (E07000207) is taken whole by 2 successors" in p for p in reorg.check_table(twice, vintage_2023.councils)
    )
    county = pd.DataFrame([row(**decided, predecessor_codes=f"E07000207;{SURREY_CC}", predecessor_names="Elmbridge;Surrey")])
    problems = reorg.check_table(county, vintage_2023.councils)
    assert any("Surrey (E10000030) is a predecessor of east-surrey, but its districts" in p for p in problems), problems


def test_load_table_raises_a_named_error(tmp_path, vintage_2023):
    path = tmp_path / "reorganisation.csv"
    pd.DataFrame([row(sources="")]).to_csv(path, index=False)
    with pytest.raises(ReorganisationError, match="has no source"):
        reorg.load_table(path, vintage_2023.councils)


def test_only_decided_rows_are_built_and_ons_codes_replace_provisional_ones(table):
    assert {s.successor_id for s in reorg.successors(table, "2027")} == {"east-surrey", "west-surrey"}
    built_2028 = reorg.successors(table, "2028")
    assert {s.status for s in built_2028} <= set(BUILT_STATUSES)
    assert {"east-surrey", "west-surrey"} <= {s.successor_id for s in built_2028}
    left = reorg.not_built(table, "2028")
    assert left and all(r["status"] not in BUILT_STATUSES or r["reason"].startswith("vesting after") for r in left)
    coded = table.copy()
    coded.loc[coded["successor_id"] == "east-surrey", "ons_code"] = "E06000099"
    assert {s.code for s in reorg.successors(coded, "2027")} == {"E06000099", "X-west-surrey"}


def test_changes_follow_from_the_table(table):
    changes = reorg.planned_changes(table, "2027")
    assert list(changes.columns) == [
        "predecessor_code",
        "predecessor_name",
        "successor_code",
        "successor_name",
        "effective_date",
        "kind",
        "note",
    ]
    assert set(changes["predecessor_code"]) == SURREY_DISTRICTS | {SURREY_CC}
    assert set(changes["effective_date"]) == {"2027-04-01"}
    mapping = reorg.successor_map(table, "2027")
    assert mapping[ELMBRIDGE] == ("X-east-surrey",) and mapping[GUILDFORD] == ("X-west-surrey",)
    assert mapping[SURREY_CC] == ("X-east-surrey", "X-west-surrey")


# --- planned vintages ------------------------------------------------------------------------


def test_surrey_2027_has_two_new_councils_replacing_eleven_districts_and_the_county(vintage_2023, planned):
    v2027 = planned["2027"]
    before, after = set(vintage_2023.councils["code"]), set(v2027.councils["code"])
    assert after - before == {"X-east-surrey", "X-west-surrey"}
    assert before - after == SURREY_DISTRICTS | {SURREY_CC}
    assert len(v2027.districts) == len(vintage_2023.districts) - 11 + 2
    assert len(v2027.counties) == len(vintage_2023.counties) - 1
    new = v2027.districts.set_index("code").loc[["X-east-surrey", "X-west-surrey"]]
    assert (new["type"] == "unitary").all() and (new["upper_tier_code"] == new.index).all()
    assert (new["region_name"] == "South East").all() and (new["planned_status"] == "decided").all()
    surrey = vintage_2023.counties.set_index("code").loc[SURREY_CC, "area_km2"]
    assert new["area_km2"].sum() == pytest.approx(surrey, rel=1e-3)
    info = v2027.info
    assert info["planned"] is True and info["as_of"] == "2027-04-01" and info["abolished_counties"] == [SURREY_CC]
    assert [(c["code"], c["status"]) for c in info["new_councils"]] == [
        ("X-east-surrey", "decided"),
        ("X-west-surrey", "decided"),
    ]


@pytest.mark.parametrize("vintage", ["2027", "2028"])
def test_planned_vintages_are_clean_and_within_budget(planned, vintage):
    info = planned[vintage].info
    assert info["invalid_geometries"] == 0
    assert info["invalid_edges"] == 0
    assert info["gaps_km2"] == 0 and info["overlaps_km2"] == 0
    assert info["layer_bytes"] <= settings.LAYER_BUDGET_BYTES
    assert planned[vintage].districts.geometry.is_valid.all()


def test_2028_builds_on_2027(planned):
    codes_2027 = set(planned["2027"].councils["code"])
    codes_2028 = set(planned["2028"].councils["code"])
    assert {"X-east-surrey", "X-west-surrey"} <= codes_2028
    assert not {c for c in codes_2028 - codes_2027 if not c.startswith(reorg.PROVISIONAL_PREFIX)}


def test_a_county_keeping_districts_stays(vintage_2023):
    """One decided successor of two Surrey districts (county not a predecessor): the county stays, smaller."""
    table = pd.DataFrame([row(status="decided", vesting_date="2027-04-01")])
    built = reorg.build_planned_vintage("2027", vintage_2023, table)
    counties = built.counties.set_index("code")
    assert SURREY_CC in counties.index
    before = vintage_2023.counties.set_index("code").loc[SURREY_CC, "area_km2"]
    new_area = built.districts.set_index("code").loc["X-east-surrey", "area_km2"]
    assert counties.loc[SURREY_CC, "area_km2"] == pytest.approx(before - new_area, rel=1e-3)
    assert built.info["invalid_geometries"] == 0 and built.info["gaps_km2"] == 0


def test_planned_vintage_is_cached_and_loaded_like_any_vintage(vintage_2023, empty_cache):
    built = reorg.load_boundaries("2027")
    assert list(empty_cache.glob("layers/2027-planned-*/info.json"))
    again = reorg.load_boundaries("2027")
    assert again.info["planned"] and len(again.councils) == len(built.councils)
    assert set(again.councils.columns) >= {"code", "name", "type", "upper_tier_code", "region_code", "region_name"}


def test_arrangements_are_drawn_on_a_planned_vintage(planned, table):
    long = pd.DataFrame(
        {
            "arrangement_id": ["a", "a", "b", "b", "b"],
            "code": [ELMBRIDGE, GUILDFORD, ELMBRIDGE, EPSOM, "E07000223"],
            "role": ["member", "member", "lead", "member", "member"],
        }
    )
    moved = reorg.redraw_long(long, reorg.successor_map(table, "2027"))
    assert moved.groupby("arrangement_id")["code"].apply(list).to_dict() == {
        "a": ["X-east-surrey", "X-west-surrey"],
        "b": ["X-east-surrey", "E07000223"],
    }
    assert moved.loc[moved["arrangement_id"] == "b", "role"].tolist()[0] == "lead"
    links = build_links(moved, planned["2027"].councils)
    assert len(links) == 2 and links["cross_county"].all()


# --- outcomes, hand-made cases ---------------------------------------------------------------

CHANGES = {"d1": ("N1",), "d2": ("N1",), "d3": ("N2",), "d4": ("N2",), "c1": ("N1", "N2")}
AREAS = {"N1": "Shire", "N2": "Shire"}


@pytest.mark.parametrize(
    "members, outcome",
    [
        (["d1", "d2"], "becomes internal"),
        (["d1", "d2", "d3"], "partly merged"),
        (["d1", "d2", "x1"], "partly merged"),
        (["d1", "d3"], "crosses the new boundaries"),
        (["d1", "x1"], "crosses the new boundaries"),
        (["c1", "x1"], "crosses the new boundaries"),
        (["c1", "d1"], "partly merged"),
        (["x1", "x2"], "unaffected"),
        (["x1"], "unaffected"),
        (["d1"], "becomes internal"),
    ],
)
def test_outcome_of_hand_made_arrangements(members, outcome):
    result = reorg.arrangement_outcomes(long_of({"a": members}), CHANGES, AREAS)
    assert result["outcome"].tolist() == [outcome]


def test_outcome_columns_and_counts():
    long = long_of({"a": ["d1", "d2"], "b": ["d1", "d3"], "c": ["x1", "x2"], "d": ["d3", "y1"], "e": ["d1", "d2", "d4"]})
    areas = {"N1": "Shire", "N2": "Wold"}
    result = reorg.arrangement_outcomes(long, CHANGES, areas).set_index("arrangement_id")
    assert result.loc["b", "councils_after"] == "N1;N2" and result.loc["b", "areas"] == "Shire;Wold"
    assert result.loc["c", "new_councils"] == "" and result.loc["c", "members"] == 2
    counts = reorg.outcome_counts(result.reset_index())
    assert counts["overall"] == {"becomes internal": 1, "partly merged": 1, "crosses the new boundaries": 2, "unaffected": 1}
    assert counts["by_area"] == {
        "Shire": {"becomes internal": 1, "partly merged": 1, "crosses the new boundaries": 1},
        "Wold": {"becomes internal": 0, "partly merged": 1, "crosses the new boundaries": 2},
    }


def test_surrey_arrangements_on_2027(table):
    long = long_of({"same": [GUILDFORD, WAVERLEY], "across": [ELMBRIDGE, GUILDFORD], "outside": ["E07000223", "E07000224"]})
    changes = reorg.successor_map(table, "2027")
    result = reorg.arrangement_outcomes(long, changes).set_index("arrangement_id")["outcome"]
    assert result.to_dict() == {"same": "becomes internal", "across": "crosses the new boundaries", "outside": "unaffected"}


# --- command line ----------------------------------------------------------------------------


def test_cli_reorganisation_json():
    done = subprocess.run(
        [sys.executable, "-m", "sharedservices", "reorganisation", "--vintage", "2027", "--json"],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["planned"] is True
    assert [c["code"] for c in figures["new_councils"]] == ["X-east-surrey", "X-west-surrey"]
    assert len(figures["new_councils"][0]["predecessors"]) == 6
    outcomes = figures["outcomes"]
    assert sum(outcomes["overall"].values()) == outcomes["arrangements"] > 100
    assert set(outcomes["by_area"]) == {"Surrey"}
    assert outcomes["overall"]["becomes internal"] >= 1  # guildford-waverley-partnership


def test_cli_geodata_info_takes_a_planned_vintage():
    done = subprocess.run(
        [sys.executable, "-m", "sharedservices", "geodata", "info", "--vintage", "2028", "--json"],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["planned"] is True and info["gaps_km2"] == 0


def test_outcomes_by_arrangement_and_the_profile_sentence():
    from sharedservices import profiles, reorganisation

    long = pd.DataFrame(
        {
            "arrangement_id": ["a", "a", "b", "b", "c", "c"],
            "code": ["E07000209", "E07000216", "E07000209", "E07000207", "E07000200", "E07000203"],
        }
    )
    outcomes = reorganisation.outcomes_by_arrangement(long, "2027")
    assert outcomes.to_dict() == {"a": "becomes internal", "b": "crosses the new boundaries", "c": "unaffected"}
    mine = pd.DataFrame({"arrangement_id": ["a", "b"], "reorganisation": ["becomes internal", "crosses the new boundaries"]})
    sentence = profiles.reorganisation_sentence("E07000209", mine)  # Guildford
    assert sentence.startswith("From 2027-04-01 part of West Surrey Council (decided)")
    assert "1 becomes internal" in sentence and "1 crosses the new boundaries" in sentence
    assert profiles.reorganisation_sentence("E07000110", mine) == ""  # Maidstone: Kent has nothing decided


def test_a_prepared_view_of_the_planned_councils_brings_its_boundary_year():
    from sharedservices.views import load_views
    from sharedservices.viewstate import ViewState, Vocabulary

    views = {v.view_id: v for v in load_views()}
    surrey, _ = views["surrey-2027"].apply(ViewState(vintage="2023"), Vocabulary())
    assert surrey.vintage == "2027" and "becomes internal" in surrey.reorganisation
    east_anglia, _ = views["east-anglia"].apply(ViewState(vintage="2013"), Vocabulary(counties={"E10000020", "E10000029"}))
    assert east_anglia.vintage == "2013"
    assert views["east-anglia"].vintage_for("2028") == "2023"  # after a planned slide, today's boundaries


def test_the_planned_map_says_in_one_short_sentence_what_it_draws(table):
    note_2028 = reorg.planned_note("2028", table)
    assert "Suffolk (3 new councils)" in note_2028 and "Surrey (2 new councils) from 2027-04-01 (decided)" in note_2028
    pending = note_2028.split("not yet decided (")[1]
    assert "Suffolk" not in pending  # its single-council option was not chosen: the area is decided
    assert len(note_2028) < 400
    note_2027 = reorg.planned_note("2027", table)
    assert "decided for a later date (Essex, Hampshire, Norfolk, Suffolk)" in note_2027
