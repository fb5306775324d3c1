"""The map's layers: escaped text, no CDN, size, view state and filters."""

from __future__ import annotations

import html
import json
import re
import warnings

import folium
import pandas as pd
import pytest

from sharedservices import filters, mapview, settings
from sharedservices.views import load_views
from sharedservices.viewstate import ViewState, Vocabulary, from_query, to_query
from sharedservices.workspace import load_workspace

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def workspace():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workspace("2023")


def _whole_page(figure: folium.Map, *groups: folium.FeatureGroup) -> str:
    for group in groups:
        group.add_to(figure)
    return figure.get_root().render()


def test_text_from_the_data_is_escaped_in_popups_and_tooltips(workspace):
    arrangements = workspace.arrangements.copy()
    first = arrangements.index[0]
    arrangements.loc[first, ["name", "description"]] = [HOSTILE, HOSTILE]
    arrangements.loc[first, "source_urls"] = 'javascript:alert(1) https://example.org/"onmouseover=alert(1)'
    links = workspace.drawn_links[workspace.drawn_links["arrangement_id"] == arrangements.loc[first, "arrangement_id"]]
    popup = " ".join(mapview.arrangement_popup(arrangements.loc[first]).values())
    assert HOSTILE not in popup and "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "javascript:" not in popup and '"onmouseover' not in popup
    # The layer's own data, before folium writes it: the browser puts these texts into tooltips
    # as HTML, so they must arrive escaped (folium's JSON escaping only protects the page's script).
    hostile_names = pd.Series({code: HOSTILE for code in set(links["code_a"]) | set(links["code_b"])})
    layer = mapview.links_layer(links, arrangements, hostile_names)
    texts = [
        str(value)
        for child in layer._children.values()
        for feature in child.data["features"]
        for value in feature["properties"].values()
    ]
    assert texts and not any("<img" in text for text in texts)
    assert sum("&lt;img src=x onerror=alert(1)&gt;" in text for text in texts) >= 2  # a line's name, a node's name


def test_the_map_needs_nothing_from_a_cdn(workspace):
    shown = filters.apply(workspace, ViewState())
    page = _whole_page(
        mapview.base_map("/app/static/layers/base-2023-test.json"),
        mapview.links_layer(shown.drawn_links, shown.arrangements),
        mapview.highlight_layer(workspace.boundaries, "E10000029", ["E10000020"]),
    )
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert external == []
    assert "/app/static/vendor/leaflet/leaflet.js" in page


def test_whole_uk_map_with_every_arrangement_fits_the_page_budget(workspace):
    """The page with a line for every arrangement grows with the table but not its format: at most
    180 bytes a line between two councils (500 KB at 2,700 lines); the base layer, a file the
    browser fetches once and caches, under 650 KB (popups come from a third file, see below)."""
    shown = filters.apply(workspace, ViewState())
    folder = settings.STATIC_DIR / "layers-test"
    try:
        url = mapview.write_base_layer(workspace.boundaries, folder)
        base_bytes = (folder / url.rsplit("/", 1)[1]).stat().st_size
    finally:
        for file in folder.glob("*"):
            file.unlink()
        folder.rmdir()
    names = workspace.boundaries.councils.set_index("code")["name"]
    page = _whole_page(mapview.base_map(url), mapview.links_layer(shown.drawn_links, shown.arrangements, names))
    assert url.startswith("/app/static/layers-test/base-2023-") and url in page
    assert len(shown.drawn) > 600  # every shipped arrangement with a line, not bundles
    assert len(page.encode()) <= 180 * len(shown.drawn_links) and base_bytes <= 650_000


def test_the_base_layer_file_is_written_once_and_whole(workspace):
    folder = settings.STATIC_DIR / "layers-test2"
    try:
        first = mapview.write_base_layer(workspace.boundaries, folder)
        stamp = (folder / first.rsplit("/", 1)[1]).stat().st_mtime_ns
        assert mapview.write_base_layer(workspace.boundaries, folder) == first
        assert (folder / first.rsplit("/", 1)[1]).stat().st_mtime_ns == stamp
        assert not list(folder.glob("*.part"))
        import json

        data = json.loads((folder / first.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        assert len(data["districts"]["features"]) == len(workspace.boundaries.districts) == len(data["labels"])
    finally:
        for file in folder.glob("*"):
            file.unlink()
        folder.rmdir()


def test_view_round_trips_through_the_url():
    vocabulary = Vocabulary(
        regions={"Wales"},
        counties={"E10000029"},
        types={"district"},
        services={"legal"},
        councils={"E07000245"},
        arrangements={"abc"},
    )
    view = ViewState(
        vintage="2013",
        regions=("Wales",),
        counties=("E10000029",),
        services=("legal",),
        statuses=("ended",),
        year_from=2005,
        year_to=2015,
        crossing="region",
        non_neighbours=True,
        min_savings=100000,
        search="LGSS",
        arrangement="abc",
        selected="E07000245",
        lat=52.25,
        lon=0.71,
        zoom=8.5,
        present=True,
        slide=2,
        tiles=True,
    )
    restored, notices = from_query(to_query(view), vocabulary)
    assert restored == view and notices == []
    assert to_query(ViewState()) == {}


def test_unknown_or_malformed_settings_are_ignored_with_notices():
    view, notices = from_query(
        {"region": "<script>", "from": "abc", "council": "E99999999", "zoom": "99", "what": "x", "to": "3000"},
        Vocabulary(regions={"Wales"}),
    )
    assert view == ViewState()
    assert len(notices) == 6


def test_filters(workspace):
    everything = filters.apply(workspace, ViewState())
    welsh = filters.apply(workspace, ViewState(regions=("Wales",)))
    assert 0 < len(welsh.arrangements) < len(everything.arrangements)
    crossing = filters.apply(workspace, ViewState(crossing="nation"))
    assert crossing.pair_links["cross_nation"].all() and len(crossing.pair_links) > 0
    apart = filters.apply(workspace, ViewState(non_neighbours=True))
    assert len(apart.pair_links) > 0 and (apart.pair_links["adjacent"] == False).all()  # noqa: E712
    rich = filters.apply(workspace, ViewState(min_savings=1_000_000))
    assert 0 < len(rich.arrangements) < len(everything.arrangements)
    assert (rich.arrangements["savings_gbp_per_year"] >= 1_000_000).all()
    ended = filters.apply(workspace, ViewState(statuses=("ended",), year_from=2000, year_to=2005))
    assert 0 < len(ended.arrangements) < len(everything.arrangements)
    assert (ended.arrangements["status"] == "ended").all()
    assert (ended.arrangements["start_year"].fillna(2005) <= 2005).all()
    assert (ended.arrangements["end_year"].fillna(2000) >= 2000).all()
    suffolk = filters.apply(workspace, ViewState(search="suffolk"))
    assert "E10000020" in filters.partners(suffolk, "E10000029")  # Norfolk works with Suffolk
    line = filters.summary_line(welsh)
    assert re.fullmatch(
        r"\d+ arrangements? on the map · \d+ councils? · \d+ council pairs? across county or unitary "
        r"lines · (£[\d.,]+[mk]? a year stated savings|no savings stated)",
        line,
    )


def test_prepared_views_exist_and_the_largest_cross_county_one_is_right(workspace):
    views = {v.view_id: v for v in load_views()}
    assert {"east-anglia", "beyond-neighbours", "tri-borough", "largest-cross-county"} <= set(views)
    crossing = workspace.pair_links[workspace.pair_links["cross_county"]]
    with_crossings = workspace.arrangements[workspace.arrangements["arrangement_id"].isin(crossing["arrangement_id"])]
    chosen = views["largest-cross-county"].query.split("arrangement=")[1].split("&")[0]
    assert with_crossings.set_index("arrangement_id").loc[chosen, "members"] == with_crossings["members"].max()
    for view in views.values():
        for part in view.query.split("&"):
            if part.startswith("arrangement="):
                assert part.split("=")[1] in set(workspace.arrangements["arrangement_id"])


def test_a_click_means_council_link_or_clear(workspace):
    boundaries = workspace.boundaries
    suffolk_point = {"lat": 52.2, "lng": 1.0}
    assert mapview.click_action({"last_clicked": suffolk_point}, {}, boundaries) == ("council", "E07000203")  # Mid Suffolk
    assert mapview.click_action({"last_clicked": {"lat": 53.5, "lng": 3.0}}, {}, boundaries) == ("clear", None)
    line = {"type": "MultiLineString", "coordinates": [[[0.9, 52.2], [1.1, 52.2]]]}
    link = {
        "last_clicked": suffolk_point,
        "zoom": 9,
        "last_active_drawing": {"geometry": line, "properties": {"aid": "x", "weight": 4}},
    }
    assert mapview.click_action(link, {}, boundaries) == ("link", None)
    assert mapview.click_action(link, link, boundaries) is None
    # The same line reported again, but the click is 20 px away from it: the council under the mouse.
    beside = {**link, "last_clicked": {"lat": 52.2 + 20 * 360 / (256 * 2**9) / 0.61, "lng": 1.0}}
    assert mapview.click_action(beside, link, boundaries) == ("council", "E07000203")


def test_a_click_on_a_council_node_selects_that_council_even_where_its_links_meet(workspace):
    boundaries = workspace.boundaries
    suffolk = boundaries.councils.set_index("code").loc["E10000029"]
    at_node = {"lat": suffolk["lat"] + 0.001, "lng": suffolk["lon"]}
    node = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [suffolk["lon"], suffolk["lat"]]},
        "properties": {"node": "E10000029"},
    }
    answer = {"last_clicked": at_node, "zoom": 9, "last_active_drawing": node}
    assert mapview.click_action(answer, {}, boundaries) == ("council", "E10000029")  # the county, not the district under it
    shown = filters.apply(workspace, ViewState())
    page = _whole_page(
        mapview.offline_map(),
        mapview.links_layer(shown.drawn_links, shown.arrangements, boundaries.councils.set_index("code")["name"]),
    )
    assert page.count('"node":') == len(set(shown.drawn_links["code_a"].dropna()) | set(shown.drawn_links["code_b"]))


def test_view_for_bounds_fits_the_places(workspace):
    uk = mapview.view_for_bounds(tuple(workspace.boundaries.districts.total_bounds))
    suffolk = mapview.view_for_bounds(tuple(workspace.boundaries.councils.set_index("code").loc[["E10000029"]].total_bounds))
    assert 4 <= uk[2] <= 6 and 7.5 <= suffolk[2] <= 9.5
    assert 51.9 < suffolk[0] < 52.6 and 0.3 < suffolk[1] < 1.8


def test_the_map_view_is_taken_only_from_a_real_move():
    first = {"center": {"lat": 54.6, "lng": -3.2}, "zoom": 5.5}
    assert mapview.moved_to(first, None) is None
    assert mapview.moved_to(first, first) is None
    panned = {"center": {"lat": 52.123456, "lng": -3.5}, "zoom": 8}
    assert mapview.moved_to(panned, first) == (52.1235, -3.5, 8.0)
    resized = {"center": {"lat": 52.1233, "lng": -3.5016}, "zoom": 8}  # under a pixel: the map was resized
    assert mapview.moved_to(resized, panned) is None
    # The map's first answers: its default view (rounded), then the view it was sent (rounded).
    default = {"center": {"lat": 54.60391, "lng": -3.18878}, "zoom": 5.5}
    sent = {"center": {"lat": 52.41708, "lng": -3.79472}, "zoom": 7.5}
    assert mapview.moved_to(default, first) is None
    assert mapview.moved_to(sent, default, commanded=(52.4174, -3.7931, 7.5)) is None
    assert mapview.moved_to(sent, default) == (52.4171, -3.7947, 7.5)


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_line_colour_and_label_is_legible_against_the_land():
    for label, colour, _ in mapview.SERVICE_FAMILIES:
        assert _contrast(colour, mapview.LAND) >= 3, label  # WCAG 2.2 non-text contrast
    assert _contrast(mapview.COUNTY_LINE, mapview.LAND) >= 4.5
    assert _contrast("#3b4450", mapview.LAND) >= 4.5  # council names (text)


def test_legend_follows_the_arrangements_shown(workspace):
    welsh = filters.apply(workspace, ViewState(services=("legal",)))
    items = mapview.legend_items(welsh.drawn)
    assert items and len(items) < len(mapview.SERVICE_FAMILIES)
    assert all(label in mapview.legend_html(welsh.drawn) for label, _ in items)


def test_services_are_named_by_their_labels_and_missing_savings_said_plainly(workspace):
    row = workspace.arrangements.set_index("arrangement_id").loc["tri-borough-shared-services"].copy()
    row["savings_gbp_per_year"], row["savings_note"] = None, ""
    popup = mapview.arrangement_popup(row)
    assert "Children&#x27;s and education" in popup["services"] or "Children's and education" in popup["services"]
    assert "_" not in popup["services"]
    assert popup["savings"] == "no savings stated"
    assert popup["checked"][:4].isdigit()


def test_the_map_stops_at_a_useful_zoom():
    page = mapview.offline_map().get_root().render()
    assert f'"maxZoom": {mapview.MAX_ZOOM}' in page and mapview.MAX_ZOOM <= 12


def test_popups_come_from_a_details_file_and_lines_carry_only_ids(workspace):
    arrangements = workspace.arrangements.copy()
    first = arrangements.index[0]
    arrangements.loc[first, ["name", "description"]] = [HOSTILE, HOSTILE + " a long description"]
    folder = settings.STATIC_DIR / "layers-test3"
    try:
        url = mapview.write_details(arrangements, folder)
        details = json.loads((folder / url.rsplit("/", 1)[1]).read_text())
        assert mapview.write_details(arrangements, folder) == url and len(list(folder.glob("*"))) == 1
    finally:
        for file in folder.glob("*"):
            file.unlink()
        folder.rmdir()
    assert set(details) == set(arrangements["arrangement_id"])
    hostile = details[arrangements.loc[first, "arrangement_id"]]
    assert HOSTILE not in hostile and "&lt;img src=x onerror=alert(1)&gt;" in hostile and "Last checked" in hostile
    shown = filters.apply(workspace, ViewState())
    page = _whole_page(mapview.base_map("/b.json", url), mapview.links_layer(shown.drawn_links, shown.arrangements))
    description = str(shown.arrangements["description"].iloc[0])[:60]
    assert url in page and description not in page and '"aid"' in page


def test_the_optional_background_tiles_send_a_referrer():
    page = mapview.offline_map(tiles=True).get_root().render()
    assert '"referrerPolicy": "strict-origin-when-cross-origin"' in page
    assert "referrerPolicy" not in mapview.offline_map(tiles=False).get_root().render()


def test_very_long_text_is_cut_on_the_page_with_the_whole_of_it_behind_read_all():
    from sharedservices.mapview import cards

    long_text = "<script>alert(1)</script> " + "word " * 20_000  # 100,000 characters and more
    row = pd.Series(
        {
            "name": "A" * 300,
            "description": long_text,
            "services": "ict",
            "council_names": "Babergh; Mid Suffolk",
            "status": "operational",
            "source_urls": "javascript:alert(1) https://example.org/a",
        }
    )
    card = cards.arrangement_card(row)
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "Read all (100,026 characters)" in card and card.count("<details>") == 2
    hidden = re.findall(r"<details><summary>[^<]*</summary>(.*?)</details>", card, flags=re.S)
    assert hidden[0] == "A" * 300 and hidden[1].count("word") == long_text.count("word")
    outside = re.sub(r"<details>.*?</details>", "", card, flags=re.S)
    assert len(outside) < 2_000
    popup = cards.arrangement_popup(row)
    assert len(html.unescape(popup["about"])) <= cards.POPUP_DESCRIPTION_CHARS + 1
    assert len(html.unescape(popup["name"])) <= cards.NAME_CHARS + 1
    assert "javascript:" not in popup["sources"] and 'href="https://example.org/a"' in popup["sources"]
    assert cards.readable_html("short & sweet", 50) == "short &amp; sweet"


def test_a_cards_source_links_take_the_pages_link_colour_and_the_popups_keep_the_maps():
    from sharedservices.mapview import cards
    from sharedservices.mapview.style import WEB_LINK

    row = pd.Series({"name": "A", "services": "ict", "status": "operational", "source_urls": "https://example.org/a"})
    card = cards.arrangement_cards(pd.DataFrame([row, row]))
    assert card.count(f'href="https://example.org/a" target="_blank" style="color:{WEB_LINK}"') == 2
    assert "style=" not in cards.arrangement_popup(row)["sources"]


def test_bundled_lines_count_the_arrangements_between_two_places(workspace):
    from sharedservices.mapview import layers

    shown = filters.apply(workspace, filters.Filters())
    names = workspace.boundaries.councils.set_index("code")["name"]
    group = layers.bundled_links_layer(shown.drawn_links, shown.arrangements, names)
    (geojson,) = [child for child in group._children.values() if isinstance(child, folium.GeoJson)]
    features = geojson.data["features"]
    assert 0 < len(features) <= layers.MAX_BUNDLES
    counts = [int(f["properties"]["tip"].split()[0]) for f in features]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1
    busiest = features[0]["properties"]
    listed = busiest["arrangements"].split("<br>")
    assert len([line for line in listed if not line.startswith("…")]) == min(counts[0], 8)
    assert (counts[0] > 8) == busiest["arrangements"].endswith("filter to see each one")
    assert all(len(f["geometry"]["coordinates"]) == layers.ARC_POINTS for f in features)


@pytest.mark.parametrize("text", ["{% endfor %} {{ oops", "{{ 7 * 7 }}", "{# open"])
def test_template_marks_in_the_data_neither_break_nor_run_in_the_map(workspace, text):
    from streamlit_folium import _get_feature_group_string

    from sharedservices import exports

    shown = filters.apply(workspace, filters.Filters())
    shown.arrangements = shown.arrangements.assign(name=[f"{text} {n}" for n in shown.arrangements["name"]])
    names = workspace.boundaries.councils.set_index("code")["name"].map(lambda n: f"{text} {n}")
    selected = shown.long["code"].iloc[0]
    layers, _ = mapview.partnership_layers(workspace.boundaries, shown, names, selected)
    script = "".join(_get_feature_group_string(group, mapview.base_map("a", "b"), number) for number, group in enumerate(layers))
    decoded = script.replace("\\u0026", "&")  # folium writes "&" as \u0026 inside its JSON
    assert "&#123;" in decoded and text not in decoded
    if "7 * 7" in text:
        assert "&#123;&#123; 7 * 7 &#125;&#125;" in decoded  # shown as written, never worked out
    page = exports.standalone_html(shown, workspace.boundaries, names, f"{text} title", "attribution").decode()
    assert "&#123;" in page
    details = exports.unpack_saved_payload(page, "details-data")
    assert all(text in html.unescape(popup) for popup in details.values())  # the names read back as written


def test_link_runs_name_exactly_the_links_of_a_view():
    assert mapview.link_runs([]) == []
    assert mapview.link_runs([0, 1, 2]) == [0, 3]
    assert mapview.link_runs([7, 2, 3]) == [2, 2, 3, 1]  # links 2-3, then 7


def _decoded(runs: list[int]) -> list[int]:
    numbers, at = [], 0
    for skip, take in zip(runs[::2], runs[1::2]):
        at += skip
        numbers += range(at, at + take)
        at += take
    return numbers


def test_the_first_view_carries_a_table_of_just_its_own_links_smaller_than_a_feature_per_line(workspace):
    """The first view draws before any table is fetched: it carries the table of its own links,
    renumbered from 0, with only their arrangements, which the same code draws as a fetched one."""
    from sharedservices.mapview.layers import LinkView

    names = workspace.boundaries.councils.set_index("code")["name"]
    wales = filters.apply(workspace, ViewState(regions=("Wales",)))
    view = LinkView.written(wales, names)
    table = json.loads(view.table_json)
    assert view.url_json == "" and table["first"] == 0
    assert len(table["links"]) == len(wales.drawn_links)
    assert _decoded(view.runs) == list(range(len(wales.drawn_links)))
    assert {row[0] for row in table["arrangements"]} == set(wales.drawn_links["arrangement_id"])
    assert sorted(table["arrangements"][row[0]][0] for row in table["links"]) == sorted(wales.drawn_links["arrangement_id"])
    everything = filters.apply(workspace, ViewState())
    written = _whole_page(
        mapview.base_map("/b.json"),
        *mapview.partnership_layers(
            workspace.boundaries, everything, names, tables=mapview.LinkTables("/d.json", "/p.json", 10**6), inline=True
        )[0],
    )
    features = _whole_page(
        mapview.base_map("/b.json"), mapview.links_layer(everything.drawn_links, everything.arrangements, names)
    )
    assert len(written) < 0.85 * len(features)
    assert "Promise.resolve(" in written and "fetch(" in written  # drawn from its own table; the next one fetched ahead


def test_after_the_first_view_the_map_names_its_links_in_the_fetched_tables(workspace):
    """The first view writes its lines into the page; later views send only link numbers and
    the ids in focus, and the browser draws them from the link table it fetched."""
    folder = settings.STATIC_DIR / "layers-test-links"
    try:
        tables = mapview.write_link_tables(workspace, folder)
        names = workspace.boundaries.councils.set_index("code")["name"]
        everything = filters.apply(workspace, ViewState())
        wales = filters.apply(workspace, ViewState(regions=("Wales",)))
        apart = filters.apply(workspace, ViewState(non_neighbours=True))
        first, _ = mapview.partnership_layers(workspace.boundaries, everything, names, tables=tables, inline=True)
        later, _ = mapview.partnership_layers(workspace.boundaries, wales, names, "W06000015", tables=tables)
        first_page = _whole_page(mapview.base_map("/b.json"), *first)
        later_page = _whole_page(mapview.base_map("/b.json"), *later)
        assert len(first_page) - len(later_page) > 300_000  # the lines themselves stay in the table
        view = next(child for group in later for child in group._children.values() if type(child).__name__ == "LinkView")
        assert _decoded(view.runs) == sorted(wales.drawn_links["link"])
        assert view.focus == sorted(filters.arrangements_of(wales, "W06000015")["arrangement_id"])
        assert tables.drawn_url in later_page and tables.drawn_url in first_page  # fetched ahead by the first
        apart_view, _ = mapview.partnership_layers(workspace.boundaries, apart, names, tables=tables)
        assert tables.pairs_url in _whole_page(mapview.base_map("/b.json"), *apart_view)

        drawn = json.loads((folder / tables.drawn_url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        pairs = json.loads((folder / tables.pairs_url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        assert drawn["first"] == 0 and len(drawn["links"]) == len(workspace.drawn_links) == pairs["first"]
        assert len(pairs["links"]) == len(workspace.pair_links)
        # Each row is its arrangement, its crossing, its two councils' nodes and its line.
        row = workspace.drawn_links.iloc[5]
        arrangement, cross, node_a, node_b, line = drawn["links"][5]
        assert drawn["arrangements"][arrangement][0] == row["arrangement_id"]
        assert bool(cross) == bool(row["cross_county"]) and line == row["arc"]
        assert drawn["nodes"][node_a][0] == row["code_a"] and drawn["nodes"][node_b][0] == row["code_b"]
    finally:
        for file in folder.glob("*"):
            file.unlink()
        folder.rmdir()


def test_names_in_the_link_table_arrive_escaped(workspace):
    arrangements = workspace.arrangements.assign(name=HOSTILE)
    names = pd.Series(HOSTILE, index=workspace.boundaries.councils["code"])
    table = mapview.link_table(workspace.drawn_links.head(50), arrangements, names)
    texts = [a[1] for a in table["arrangements"]] + [n[3] for n in table["nodes"]]
    assert texts and not any("<img" in t for t in texts)
    assert all("&lt;img src=x onerror=alert(1)&gt;" in t for t in texts)


def test_a_views_first_table_is_made_once_whatever_is_in_focus(workspace):
    """One Shown serves every session with the same filters: the first view's link table is
    written once for it, and a selection (the focus) only changes what the browser fades."""
    from sharedservices.mapview.layers import LinkView

    names = workspace.boundaries.council_names
    wales = filters.apply(workspace, ViewState(regions=("Wales",)))
    first = LinkView.written(wales, names)
    focused = LinkView.written(wales, names, focus={wales.drawn_links["arrangement_id"].iloc[0]})
    assert focused.table_json is first.table_json
    assert focused.focus_json != first.focus_json
    other = filters.apply(workspace, ViewState(regions=("London",)))
    assert LinkView.written(other, names).table_json != first.table_json


def test_a_county_partner_names_itself_after_the_districts_inside_it():
    """Two districts inside a county, all three shown, the small one selected: the county's
    name, which would sit over its districts, claims its place last, whatever its size."""
    import shapely

    shown = pd.DataFrame(
        {
            "name": ["Small", "Large district", "County", "Neighbour"],
            "area_km2": [50.0, 900.0, 3000.0, 400.0],
            "lon": [0.2, 0.8, 0.75, 2.5],
            "lat": [0.5, 0.5, 0.4, 0.5],
            "geometry": [
                shapely.box(0, 0, 0.5, 1),
                shapely.box(0.5, 0, 1, 1),
                shapely.box(0, 0, 1, 1),
                shapely.box(2, 0, 3, 1),
            ],
        },
        index=["S", "L", "C", "N"],
    )
    assert mapview.layers.label_order(shown, "S") == ["S", "L", "N", "C"]
    assert mapview.layers.label_order(shown, "C") == ["C", "L", "N", "S"]
