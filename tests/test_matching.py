"""Council names as people write them -> GSS codes (sharedservices.matching)."""

from __future__ import annotations

import random
import warnings

import pandas as pd
import pytest

from sharedservices.errors import BoundaryWarning, UnknownVintageError
from sharedservices.matching import (
    HOW_FAILED,
    HOW_MATCHED,
    Matcher,
    build_register,
    load_aliases,
    normalise,
)
from tests.fixtures import fixture_changes, fixture_councils_by_vintage


@pytest.fixture(scope="module")
def register():
    return build_register(fixture_councils_by_vintage(), fixture_changes())


@pytest.fixture(scope="module")
def real_register():
    from sharedservices.vintages import load_councils

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        return build_register({v: load_councils(v) for v in ("2013", "2023")})


@pytest.mark.parametrize(
    ("written", "full", "key", "hint"),
    [
        ("Suffolk County Council", "suffolk county council", "suffolk", "county"),
        ("Suffolk CC", "suffolk cc", "suffolk", "county"),
        ("Forest Heath D.C.", "forest heath dc", "forest heath", "other"),
        ("St. Edmundsbury Borough Council", "st edmundsbury borough council", "st edmundsbury", "other"),
        ("Saint Helens", "st helens", "st helens", None),
        ("RB Windsor & Maidenhead", "rb windsor and maidenhead", "windsor and maidenhead", None),
        ("London Borough of Hammersmith and Fulham", "london borough of hammersmith and fulham", "hammersmith and fulham", None),
        ("Bristol, City of", "bristol", "bristol", None),
        ("Kingston upon Hull City Council", "kingston upon hull city council", "kingston upon hull", "other"),
        ("City of London Corporation", "city of london corporation", "city of london", "other"),
        ("City of Edinburgh Council", "city of edinburgh council", "edinburgh", None),
        ("Cyngor Sir Ynys Môn", "cyngor sir ynys mon", "ynys mon", None),
        ("County Durham", "county durham", "durham", None),
        ("Durham County Council", "durham county council", "durham", "county"),
        ("King's Lynn & West Norfolk BC", "kings lynn and west norfolk bc", "kings lynn and west norfolk", "other"),
        ("Stockton-on-Tees (lead)", "stockton on tees", "stockton on tees", None),
        ("Council", "council", "council", None),
        ("Tunbridge Wells Borough", "tunbridge wells borough", "tunbridge wells", "other"),
        ("COTSWOLD DISTRICT", "cotswold district", "cotswold", "other"),
        ("Torfaen County Borough", "torfaen county borough", "torfaen", "other"),
        ("City of Bradford Metropolitan District", "city of bradford metropolitan district", "bradford", "other"),
        ("Kirklees Metropolitan", "kirklees metropolitan", "kirklees", "other"),
        ("Camden London Borough", "camden london borough", "camden", "other"),
        ("St Albans City and District", "st albans city and district", "st albans", "other"),
        ("Hampshire County", "hampshire county", "hampshire", "county"),
    ],
)
def test_normalise(written, full, key, hint):
    assert normalise(written) == (full, key, hint)


@pytest.mark.parametrize(
    ("written", "vintage", "codes", "how"),
    [
        ("Suffolk County Council", "2023", ("E10000029",), "exact"),
        ("Suffolk CC", "2013", ("E10000029",), "exact"),
        ("Forest Heath DC", "2013", ("E07000201",), "exact"),
        ("St Edmundsbury BC", "2013", ("E07000204",), "exact"),
        ("RB Windsor & Maidenhead", "2023", ("E06000040",), "exact"),
        ("LB Hammersmith and Fulham", "2023", ("E09000013",), "exact"),
        ("Bristol City Council", "2023", ("E06000023",), "exact"),
        ("Durham County Council", "2023", ("E06000047",), "exact"),
        ("County Durham", "2023", ("E06000047",), "exact"),
        ("Vale of Glamorgan Council", "2023", ("W06000014",), "exact"),
        ("Cyngor Gwynedd", "2023", ("W06000002",), "exact"),
        ("Kingston upon Hull City Council", "2023", ("E06000010",), "exact"),
        ("City of London Corporation", "2023", ("E09000001",), "exact"),
        ("Hull City Council", "2023", ("E06000010",), "alias"),
        ("Bro Morgannwg", "2023", ("W06000014",), "alias"),
        ("RBKC", "2013", ("E09000020",), "alias"),
        ("Newcastle City Council", "2023", ("E08000021",), "alias"),
        ("Newcastle Borough Council", "2023", ("E07000195",), "alias"),
        ("E07000203", "2023", ("E07000203",), "code"),
        ("  e07000203 ", "2023", ("E07000203",), "code"),
        ("Forest Heath District Council", "2023", ("E07000245",), "changed"),
        ("E07000201", "2023", ("E07000245",), "changed"),
        ("West Suffolk Council", "2013", ("E07000201", "E07000204"), "changed"),
        ("Northamptonshire County Council", "2023", ("E06000061", "E06000062"), "changed"),
        ("North Northamptonshire Council", "2013", ("E07000150", "E07000153", "E10000021"), "changed"),
        ("Hammersmith & Fulhum", "2023", ("E09000013",), "fuzzy"),
        ("Forest Heath District", "2013", ("E07000201",), "exact"),
        ("MID SUFFOLK DISTRICT", "2023", ("E07000203",), "exact"),
        ("Kingston upon Thames Royal Borough", "2023", ("E09000021",), "exact"),
        ("Newcastle Borough", "2023", ("E07000195",), "alias"),
        ("newcastle city", "2023", ("E08000021",), "alias"),
        ("Forest Heath District", "2023", ("E07000245",), "changed"),
    ],
)
def test_names_people_write(register, written, vintage, codes, how):
    match = register.matcher(vintage).match(written)
    assert (match.codes, match.how) == (codes, how), match.message
    assert match.ok


def test_changed_names_say_what_happened(register):
    gone = register.matcher("2023").match("Forest Heath District Council")
    assert gone.changed_from == ("E07000201",)
    assert "no longer exists on the 2023 map" in gone.message and "West Suffolk (E07000245)" in gone.message
    early = register.matcher("2013").match("West Suffolk")
    assert early.changed_from == ("E07000245",)
    assert "did not exist yet on the 2013 map" in early.message


def test_bare_durham_is_county_durham_the_only_council_of_that_name(register):
    for vintage in ("2013", "2023"):
        assert register.matcher(vintage).match("Durham").codes == ("E06000047",)


def test_durham_is_ambiguous_when_a_county_and_a_city_council_share_the_name():
    # Before 2009 there were both a Durham County Council and a City of Durham district: the bare
    # name could mean either, "County Council" or "City Council" decides. The codes are invented.
    councils = pd.DataFrame({"code": ["E10999901", "E07999901"], "name": ["Durham", "Durham"]})
    none = pd.DataFrame(columns=["predecessor_code", "predecessor_name", "successor_code", "successor_name"])
    matcher = build_register({"2008": councils}, none, load_aliases()).matcher("2008")
    bare = matcher.match("Durham")
    assert bare.how == "ambiguous" and not bare.ok
    assert {s.code for s in bare.suggestions} == {"E10999901", "E07999901"}
    assert "could mean" in bare.message
    assert matcher.match("Durham County Council").codes == ("E10999901",)
    assert matcher.match("Durham City Council").codes == ("E07999901",)


def test_county_council_means_the_unitary_where_there_is_no_county(register):
    match = register.matcher("2023").match("Durham County Council")
    assert match.codes == ("E06000047",)


@pytest.mark.parametrize("written", ["Kingston", "Newcastle"])
def test_names_shared_by_two_councils_are_reported_not_guessed(register, written):
    match = register.matcher("2023").match(written)
    assert match.how == "ambiguous" and match.codes == ()
    assert len(match.suggestions) == 2
    assert all(s.score >= 90 for s in match.suggestions)


def test_unmatched_names_get_three_scored_suggestions(register):
    match = register.matcher("2023").match("Westminister and Kensingtn")
    assert match.how == "unmatched" and not match.ok
    assert 1 <= len(match.suggestions) <= 3
    assert match.suggestions[0].code in {"E09000033", "E09000020"}
    assert all(0 < s.score <= 100 for s in match.suggestions)
    assert "Closest:" in match.message
    nothing = register.matcher("2023").match("xyzzy")
    assert nothing.how == "unmatched" and nothing.suggestions == ()


def test_fuzzy_matches_carry_a_score_and_ask_for_a_check(register):
    match = register.matcher("2023").match("Hammersmith & Fulhum")
    assert match.suggestions[0].code == "E09000013" and match.suggestions[0].score > 90
    assert "please check" in match.message


@pytest.mark.parametrize("written", ["", "   ", None, float("nan")])
def test_empty_names(register, written):
    match = register.matcher("2023").match(written)
    assert match.how == "empty" and not match.ok


def test_codes_are_checked(register):
    matcher = register.matcher("2023")
    unknown = matcher.match("E07999999")
    assert unknown.how == "unmatched" and "No council has the code E07999999" in unknown.message
    # A code of the other vintage that the changes table says nothing about cannot be placed.
    lost = build_register(fixture_councils_by_vintage(), fixture_changes().iloc[:0]).matcher("2023")
    assert lost.match("E07000201").how == "unmatched"


def test_names_from_the_changes_table_are_known_without_their_vintage():
    only_2023 = {"2023": fixture_councils_by_vintage()["2023"]}
    match = build_register(only_2023, fixture_changes()).matcher("2023").match("St Edmundsbury BC")
    assert (match.codes, match.how) == (("E07000245",), "changed")


def test_unknown_vintage_is_refused(register):
    with pytest.raises(UnknownVintageError, match="No councils table for boundary vintage '1999'"):
        Matcher(register, "1999")


def test_results_are_plain_dicts(register):
    data = register.matcher("2023").match("Kingston").to_dict()
    assert set(data) == {"input", "codes", "names", "how", "changed_from", "suggestions", "message"}
    assert data["how"] in HOW_MATCHED + HOW_FAILED
    assert {"code", "name", "score"} <= set(data["suggestions"][0])


def test_every_alias_points_at_a_real_council(real_register):
    aliases = load_aliases()
    known = set(real_register.names)
    assert set(aliases["code"]) <= known
    assert not aliases["alias"].duplicated().any()


@pytest.mark.parametrize(
    ("written", "vintage", "codes"),
    [
        ("Suffolk County Council", "2023", ("E10000029",)),
        ("Forest Heath DC", "2013", ("E07000201",)),
        ("Forest Heath District Council", "2023", ("E07000245",)),
        ("West Suffolk Council", "2013", ("E07000201", "E07000204")),
        ("St Edmundsbury BC", "2013", ("E07000204",)),
        ("RB Windsor & Maidenhead", "2023", ("E06000040",)),
        ("LB Hammersmith and Fulham", "2013", ("E09000013",)),
        ("Bristol City Council", "2023", ("E06000023",)),
        ("Durham County Council", "2013", ("E06000047",)),
        ("County Durham", "2023", ("E06000047",)),
        ("Vale of Glamorgan Council", "2023", ("W06000014",)),
        ("Cyngor Gwynedd", "2013", ("W06000002",)),
        ("Kingston upon Hull City Council", "2023", ("E06000010",)),
        ("City of London Corporation", "2023", ("E09000001",)),
        ("Glasgow City Council", "2013", ("S12000046",)),
        ("Glasgow City Council", "2023", ("S12000049",)),
        ("Dorset Council", "2023", ("E06000059",)),
        ("Dorset County Council", "2013", ("E10000009",)),
        ("Comhairle nan Eilean Siar", "2023", ("S12000013",)),
        ("Ards and North Down Borough Council", "2013", ("N09000011",)),
        ("St Albans City and District Council", "2023", ("E07000240",)),
    ],
)
def test_real_councils_of_both_vintages(real_register, written, vintage, codes):
    match = real_register.matcher(vintage).match(written)
    assert match.codes == codes, match.message


@pytest.mark.parametrize(
    ("written", "vintage", "codes"),
    [
        ("Tunbridge Wells Borough", "2023", ("E07000116",)),
        ("TUNBRIDGE WELLS BOROUGH", "2023", ("E07000116",)),
        ("The Borough of Tunbridge Wells", "2023", ("E07000116",)),
        ("Cotswold District", "2023", ("E07000079",)),
        ("Torfaen County Borough", "2023", ("W06000020",)),
        ("East Hampshire District", "2023", ("E07000085",)),
        ("Wyre Forest District", "2023", ("E07000239",)),
        ("WYRE FOREST DISTRICT COUNCIL", "2023", ("E07000239",)),
        ("Derbyshire Dales District", "2023", ("E07000035",)),
        ("Hart District", "2023", ("E07000089",)),
        ("Wyre Borough", "2023", ("E07000128",)),
        ("The Royal Borough of Windsor & Maidenhead", "2023", ("E06000040",)),
        ("Kensington & Chelsea Royal Borough", "2023", ("E09000020",)),
        ("Camden London Borough", "2023", ("E09000007",)),
        ("Borough of Poole", "2013", ("E06000029",)),
        ("Poole Borough", "2013", ("E06000029",)),
        ("Poole Borough", "2023", ("E06000058",)),
        ("City of Bradford Metropolitan District", "2023", ("E08000032",)),
        ("Bradford Metropolitan District Council", "2023", ("E08000032",)),
        ("Wigan Metropolitan Borough", "2023", ("E08000010",)),
        ("wigan metropolitan borough council", "2023", ("E08000010",)),
        ("Kirklees Metropolitan", "2023", ("E08000034",)),
        ("Newark & Sherwood District", "2023", ("E07000175",)),
        ("Newark and Sherwood District Council", "2023", ("E07000175",)),
        ("Stockton-on-Tees Borough", "2023", ("E06000004",)),
        ("King's Lynn & West Norfolk Borough", "2023", ("E07000146",)),
        ("St Albans City and District", "2023", ("E07000240",)),
        ("Kingston upon Hull, City of", "2023", ("E06000010",)),
        ("City of London", "2023", ("E09000001",)),
        ("Hampshire County", "2023", ("E10000014",)),
        ("Durham County", "2013", ("E06000047",)),
        ("Durham County", "2023", ("E06000047",)),
        ("Rhondda Cynon Taf County Borough", "2023", ("W06000016",)),
        ("Vale of Glamorgan", "2023", ("W06000014",)),
        ("Isle of Anglesey County", "2023", ("W06000001",)),
        ("Newcastle Borough", "2023", ("E07000195",)),
    ],
)
def test_names_with_their_type_but_not_the_word_council(real_register, written, vintage, codes):
    match = real_register.matcher(vintage).match(written)
    assert match.codes == codes, match.message
    assert match.how != "fuzzy", match.message


def test_a_misspelt_name_with_its_type_is_still_read_as_a_close_spelling(real_register):
    match = real_register.matcher("2023").match("Tunbridge Wels Borough")
    assert (match.codes, match.how) == (("E07000116",), "fuzzy"), match.message


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Hampshire", "E10000014"),
        ("Wyre", "E07000128"),
        ("Hart", "E07000089"),
        ("East Hampshire", "E07000085"),
        ("Wyre Forest", "E07000239"),
        ("Hampshire County Council", "E10000014"),
    ],
)
def test_type_words_leave_plain_names_as_they_were(real_register, written, code):
    assert real_register.matcher("2023").match(written).codes == (code,)


@pytest.mark.parametrize("written", ["Kingston", "Newcastle", "KINGSTON COUNCIL"])
def test_type_words_leave_shared_names_ambiguous(real_register, written):
    match = real_register.matcher("2023").match(written)
    assert match.how == "ambiguous" and match.codes == (), match.message


def _messy_names(names: list[str], count: int, seed: int = 3) -> list[str]:
    """Names as people write them: suffixes, case, '&', stray spaces, some typos."""
    rng = random.Random(seed)
    suffixes = ["", " Council", " District Council", " Borough Council", " DC", " BC", " City Council"]
    out = []
    for _ in range(count):
        name = rng.choice(names).replace(" and ", rng.choice([" and ", " & "]))
        name = rng.choice([name, name.upper(), name.lower(), f"  {name} "]) + rng.choice(suffixes)
        if rng.random() < 0.1:
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        out.append(name)
    return out


def test_matching_a_thousand_row_messy_table(real_register):
    """Most messy names resolve; the time is measured by bench/bench_arrangements.py, not asserted."""
    names = sorted(set(real_register.names.values()))
    rows = [";".join(_messy_names(names, 3, seed)) for seed in range(1000)]
    matcher = real_register.matcher("2023")
    results = [matcher.match_many(row.split(";")) for row in rows]
    matched = sum(m.ok for row in results for m in row)
    assert matched / (3 * len(rows)) > 0.85
