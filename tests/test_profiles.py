"""A council's profile and the exports, on small hand-made tables and on the shipped one."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sharedservices import exports, filters, insights, profiles, tables
from sharedservices.filters import Shown
from sharedservices.viewstate import Filters


def _shown(rows: list[tuple[str, str, list[str]]]) -> Shown:
    """Arrangements (id, services, member codes) as a ``Shown``; links are not needed here."""
    arrangements = pd.DataFrame(
        {"arrangement_id": [r[0] for r in rows], "services": [r[1] for r in rows], "start_year": [None] * len(rows)}
    )
    long = pd.DataFrame([(r[0], code) for r in rows for code in r[2]], columns=["arrangement_id", "code"])
    return Shown(arrangements, long, pd.DataFrame(), pd.DataFrame())


def test_councils_like_this_one_share_what_it_does_not():
    shown = _shown(
        [
            ("a1", "legal", ["P1", "P2"]),
            ("a2", "legal;ict", ["P3", "X"]),
            ("a3", "audit", ["ME", "P1"]),
            ("a4", "waste_street", ["P2", "P4"]),
            ("a5", "ict", ["ME", "X"]),
        ]
    )
    leads = profiles.shared_by_peers(shown, "ME", ["P1", "P2", "P3", "P4", "ME"])
    # ME already shares audit and ict; of its four peers, three share legal and two waste.
    assert list(leads["service"]) == ["legal", "waste_street"]
    assert list(leads["peers_sharing"]) == [3, 2]
    assert leads["share"].tolist() == [0.75, 0.5]
    assert leads["examples"].iloc[0] == ["P1", "P2", "P3"]


def test_councils_like_this_one_never_suggest_the_catch_all_other():
    """ "Other" names no service a council could go and look for, however many peers share it."""
    shown = _shown([("a1", "other", ["P1", "P2"]), ("a2", "other;legal", ["P3"]), ("a3", "audit", ["ME"])])
    leads = profiles.shared_by_peers(shown, "ME", ["P1", "P2", "P3"])
    assert list(leads["service"]) == ["legal"]


def test_councils_like_this_one_with_no_peers_is_empty():
    shown = _shown([("a1", "legal", ["ME", "P1"])])
    assert profiles.shared_by_peers(shown, "ME", ["ME"]).empty
    assert profiles.shared_by_peers(shown, "ME", ["P1"]).empty  # P1 shares only what ME shares


@pytest.fixture(scope="module")
def workspace():
    from sharedservices.workspace import load_workspace

    return load_workspace("2023")


def test_a_profile_on_the_shipped_table(workspace):
    shown = filters.apply(workspace, Filters())
    partners = profiles.partners_table(workspace, shown, "E07000200")  # Babergh
    mid_suffolk = partners.set_index("name").loc["Mid Suffolk"]
    assert mid_suffolk["arrangements"] >= 2 and not mid_suffolk["outside_county"]  # shared workforce, joint plan
    county, region = profiles.outside_shares(partners)
    assert county == partners["outside_county"].mean() and 0 <= region <= county <= 1
    spans = profiles.timeline(shown, "E07000200", this_year=2026)
    assert (spans["start"] <= spans["end"]).all() and len(spans) >= 1
    chart = profiles.timeline_chart(spans).to_dict()  # a named row per arrangement, on any theme
    assert chart["height"] == {"step": 26} and chart["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert profiles.lineage("E07000245")["predecessors"]  # West Suffolk came from Forest Heath and St Edmundsbury
    surrey = profiles.reorganisation_of("E07000209")  # Guildford
    assert "West Surrey Council" in set(surrey["successor_name"])


def test_neighbours_are_the_councils_whose_areas_touch(workspace):
    neighbours = workspace.index.neighbours_of("E07000200")  # Babergh
    assert "E07000203" in neighbours and "E07000071" in neighbours  # Mid Suffolk, Colchester
    assert "E09000001" not in neighbours and "E07000200" not in neighbours


def test_downloads_hold_exactly_the_rows_shown_and_neutralise_formulas(workspace):
    shown = filters.apply(workspace, Filters(regions=("Wales",)))
    table = tables.people_table(shown.arrangements)
    assert 0 < len(table) < len(workspace.arrangements)
    data = exports.table_csv(table)
    assert data.startswith("\ufeff".encode("utf-8"))
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back["Id"]) == list(shown.arrangements["arrangement_id"])
    book = pd.read_excel(
        io.BytesIO(
            exports.table_xlsx(
                table, shown.pair_links, workspace.boundaries.councils.set_index("code")["name"], {"Filters": "region=Wales"}
            )
        ),
        sheet_name=None,
    )
    assert list(book["Arrangements"]["Id"]) == list(back["Id"])
    assert len(book["Links"]) == len(shown.pair_links) and book["Links"]["Council A"].notna().all()
    assert "region=Wales" in set(book["About"]["Value"])


def test_the_table_on_screen_leaves_an_unstated_year_empty_and_downloads_keep_numbers(workspace):
    table = tables.people_table(workspace.arrangements)
    screen = tables.for_screen(table)
    unstated = table["Started"].isna()
    assert unstated.any() and (screen.loc[unstated, "Started"] == "").all()
    stated = table.loc[~unstated, "Started"]
    assert list(screen.loc[~unstated, "Started"]) == [str(year) for year in stated]
    assert sorted(screen.loc[~unstated, "Started"]) == [str(year) for year in sorted(stated)]  # sorts as years do
    assert str(table["Started"].dtype) == "Int64"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_cell_comes_back_as_text(cell):
    table = pd.DataFrame({"Arrangement": [cell], "Started": [2020]})
    back = pd.read_csv(io.BytesIO(exports.table_csv(table)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["Arrangement"].iloc[0].startswith("'") and back["Arrangement"].iloc[0][1:].strip() == cell.strip()
    book = pd.read_excel(io.BytesIO(exports.table_xlsx(table)), sheet_name="Arrangements", dtype=str)
    assert book["Arrangement"].iloc[0].startswith("'")


def test_only_web_links_are_kept_as_sources():
    assert tables.web_links("javascript:alert(1) https://a.example/x data:text/html,x http://b.example") == [
        "https://a.example/x",
        "http://b.example",
    ]


def test_insights_follow_the_filters(workspace):
    every = filters.apply(workspace, Filters())
    welsh = filters.apply(workspace, Filters(regions=("Wales",)))
    assert insights.by_service(welsh)["arrangements"].sum() < insights.by_service(every)["arrangements"].sum()
    assert set(insights.by_area(welsh)["region_name"]) >= {"Wales"}
    years = insights.per_year(every)
    assert set(years["event"]) == {"started", "ended"} and (years["arrangements"] > 0).all()
    graph = insights.network(every)
    names = workspace.boundaries.councils.set_index("code")["name"]
    hubs = insights.most_connected(graph, names)
    assert hubs["partners"].is_monotonic_decreasing and len(hubs) == 15
    groups = insights.communities(graph, names)
    assert (groups["councils"] >= 3).all() and groups["councils"].is_monotonic_decreasing
    shares = insights.crossing_shares(every)
    assert shares["cross_county"].between(0, 1).all() and shares["not_neighbours"].between(0, 1).all()
    png, svg = insights.chart_images(
        __import__("altair").Chart(insights.by_service(welsh)).mark_bar().encode(x="arrangements", y="service")
    )
    assert png.startswith(b"\x89PNG") and svg.lstrip().startswith("<svg")


def test_the_coverage_figures_add_up(workspace):
    from sharedservices.coverage import coverage

    figures = coverage(workspace)
    assert figures["arrangements"] == len(workspace.arrangements)
    assert sum(figures["by_status"].values()) == sum(figures["by_start_decade"].values()) == figures["arrangements"]
    stated = sum(n for decade, n in figures["by_start_decade"].items() if decade != "not stated")
    assert figures["start_year_share"] == round(stated / figures["arrangements"], 3)
    assert set(figures["by_nation"]) == {"England", "Wales", "Scotland", "Northern Ireland"}
    assert sum(figures["by_english_region"].values()) >= figures["by_nation"]["England"]


def test_operational_rows_are_counted_by_when_they_were_last_confirmed():
    from sharedservices.coverage import last_confirmed_bands

    rows = pd.DataFrame(
        {
            "status": ["operational", "operational", "operational", "operational", "operational", "ended"],
            "status_as_of": ["2024-06", "2019", "2016-01", "2013-09", None, "2012"],
        }
    )
    assert last_confirmed_bands(rows) == {"2020 or later": 1, "2016-2019": 2, "before 2016": 1, "not stated": 1}


def test_every_bar_of_an_insights_chart_is_named_however_many_there_are(workspace):
    """Streamlit's chart theme hides the names of bars that crowd: each chart of categories gives
    every bar its own row of the theme's height and keeps every name."""
    names = workspace.boundaries.councils.set_index("code")["name"]
    every = insights.page_figures(filters.apply(workspace, Filters()), names)
    categorical = [f for f in every.figures + every.network if f.spec["encoding"]["y"].get("type") == "nominal"]
    assert {f.name for f in categorical} >= {"by-service", "by-region", "by-type", "savings", "most-connected", "crossing"}
    for figure in categorical:
        assert figure.spec["encoding"]["y"]["axis"]["labelOverlap"] is False, figure.name
        assert "step" in figure.spec["height"], figure.name


def test_the_savings_chart_reads_its_axis_in_millions_of_pounds(workspace):
    """Drawn by vl-convert as the download is: the axis says "£8m", not "8,000,000"."""
    import re

    names = workspace.boundaries.councils.set_index("code")["name"]
    every = insights.page_figures(filters.apply(workspace, Filters()), names)
    savings = next(f for f in every.figures if f.name == "savings")
    _, svg = insights.chart_images(savings.chart)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "£0m" in labels and any(re.fullmatch(r"£\d+(\.\d)?m", label) and label != "£0m" for label in labels), labels
    assert not any(re.fullmatch(r"\d{1,3}(,\d{3})+", label) for label in labels), labels


def test_the_insights_page_figures_follow_the_filters_and_carry_their_tables(workspace):
    names = workspace.boundaries.councils.set_index("code")["name"]
    every = insights.page_figures(filters.apply(workspace, Filters()), names)
    welsh = insights.page_figures(filters.apply(workspace, Filters(regions=("Wales",))), names)
    assert [f.name for f in every.figures][:3] == ["by-service", "by-region", "by-type"]
    assert [f.name for f in every.network] == ["most-connected", "crossing"]
    for figure in every.figures + every.network:
        assert figure.spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/") and figure.caption
        assert not figure.data.empty
    regions = dict(zip(welsh.figures[1].data["region_name"], welsh.figures[1].data["arrangements"], strict=True))
    assert regions["Wales"] == len(filters.apply(workspace, Filters(regions=("Wales",))).arrangements)
    assert len(welsh.groups) < len(every.groups)
    nothing = insights.page_figures(filters.apply(workspace, Filters(search="no such arrangement zzzz")), names)
    assert nothing.network == [] and nothing.groups.empty


def test_groups_of_councils_are_the_clusters_of_a_hand_made_network_and_the_same_every_time():
    """Two triangles of councils that share a lot among themselves, joined by one weak pair, and
    a lone pair: the two triangles are the groups (the pair is under ``smallest``), on every run."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(
        [("A", "B", 5), ("B", "C", 5), ("A", "C", 5), ("D", "E", 5), ("E", "F", 5), ("D", "F", 5), ("C", "D", 1), ("G", "H", 3)]
    )
    names = pd.Series({code: f"Council {code}" for code in "ABCDEFGH"})
    groups = insights.communities(graph, names)
    assert groups["members"].tolist() == ["Council A; Council B; Council C", "Council D; Council E; Council F"]
    assert groups["group"].tolist() == [1, 2] and groups["councils"].tolist() == [3, 3]
    assert all(insights.communities(graph, names).equals(groups) for _ in range(5))


def test_a_councils_own_view_holds_only_its_arrangements_and_is_made_once():
    from sharedservices import filters
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    shown = filters.apply(load_workspace("2023"), Filters())
    own = filters.of_council(shown, "E07000200")  # Babergh
    assert filters.of_council(shown, "E07000200") is own
    ids = set(own.arrangements["arrangement_id"])
    assert ids == set(shown.long.loc[shown.long["code"] == "E07000200", "arrangement_id"]) and 0 < len(ids) < 20
    for part in (own.long, own.pair_links, own.drawn_links):
        assert set(part["arrangement_id"]) <= ids
    assert "E07000203" in own.council_codes and len(own.council_codes) < 10  # Mid Suffolk, and few others


def test_a_partners_line_says_how_many_what_and_how_far():
    import pandas as pd

    from sharedservices import profiles

    partners = pd.DataFrame(
        {
            "code": ["A", "B"],
            "name": ["Alpha", "Beta"],
            "arrangements": [1, 3],
            "services": [["Legal"], ["Audit", "ICT"]],
            "outside_county": [False, True],
            "outside_region": [False, True],
        }
    )
    assert profiles.partner_lines(partners) == ["1 arrangement: Legal", "3 arrangements: Audit, ICT · other county, other region"]
