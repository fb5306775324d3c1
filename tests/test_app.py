"""The map page driven through Streamlit's AppTest: filters, shared links, vintages, presentation."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sharedservices import settings

APP = str(settings.PROJECT_ROOT / "app.py")
#: Arrangements in the shipped table.
SHIPPED = len(pd.read_csv(settings.ARRANGEMENTS_CSV))


def _page(params: dict | None = None) -> AppTest:
    page = AppTest.from_file(APP, default_timeout=120)
    for key, value in (params or {}).items():
        page.query_params[key] = value
    page.run()
    assert not page.exception, [e.message for e in page.exception]
    return page


def _counts(page: AppTest) -> str:
    return next(m.value for m in page.markdown if "on the map ·" in m.value)


def test_filters_change_the_counts_line_and_the_url():
    page = _page()
    everything = _counts(page)
    assert "across county or unitary lines" in everything and "a year stated savings" in everything
    page.sidebar.multiselect(key="f_regions").set_value(["Wales"]).run()
    wales = _counts(page)
    lat, lon, zoom = page.session_state["map_view"]
    assert 51 < lat < 53.5 and -5 < lon < -2.5 and zoom >= 6  # the map moved to Wales
    assert wales != everything
    assert int(wales.strip("*").split()[0]) < int(everything.strip("*").split()[0])
    assert page.query_params["region"] == "Wales"
    page.sidebar.radio(key="f_crossing").set_value("nation").run()
    assert page.query_params["cross"] == "nation"
    assert _counts(page) != wales


def test_a_shared_link_restores_the_view():
    page = _page(
        {
            "region": "East of England",
            "service": "shared_management",
            "council": "E10000029",
            "lat": "52.3",
            "lon": "1.1",
            "zoom": "8",
        }
    )
    assert page.sidebar.multiselect(key="f_regions").value == ["East of England"]
    assert page.sidebar.multiselect(key="f_services").value == ["shared_management"]
    assert page.session_state["selected"] == "E10000029"
    assert page.session_state["map_view"] == (52.3, 1.1, 8.0)
    assert any(h.value == "Suffolk" for h in page.subheader)
    assert page.query_params["council"] == "E10000029"


def test_the_vintage_switch_redraws_on_the_other_councils():
    page = _page({"q": "Forest Heath"})
    in_2023 = _counts(page)
    page.sidebar.radio(key="f_vintage").set_value("2013").run()
    assert not page.exception
    in_2013 = _counts(page)
    assert in_2013 != in_2023
    assert any("councils of this map that they became or came from" in c.value for c in page.caption)
    assert page.query_params["vintage"] == "2013"


def test_presentation_mode_steps_through_the_prepared_views_and_exits():
    page = _page({"present": "1"})

    def title() -> str:
        return next(m.value for m in page.markdown if "slide-title" in m.value)

    def press(label: str) -> None:
        next(b for b in page.button if b.label == label).click().run()
        assert not page.exception, [e.message for e in page.exception]

    assert "East Anglia" in title()
    assert page.session_state["f_counties"] == ["E10000020", "E10000029"]
    lat, lon, zoom = page.session_state["map_view"]  # fitted to Norfolk and Suffolk on the map's own size
    assert 52.0 < lat < 52.9 and 0.4 < lon < 1.6 and 7 <= zoom <= 9
    assert not any("members were recorded" in c.value for c in page.caption)  # no technical caption on a slide
    press("Next ▶")
    assert "Beyond neighbours" in title()
    assert page.session_state["arrangement"] == "lgss-slough-borough-council-third-partner"
    assert not any(b.label.startswith("✕") for b in page.button)
    assert page.query_params["slide"] == "1"
    press("◀ Back")
    assert "East Anglia" in title()
    press("Exit")
    assert not any("slide-title" in m.value for m in page.markdown)
    assert "present" not in page.query_params
    assert page.session_state["f_present"] is False


def test_the_vintage_switch_keeps_the_place_and_says_what_became_of_the_selection():
    page = _page({"council": "E07000244", "lat": "52.2", "lon": "1.2", "zoom": "9.25"})  # East Suffolk, from 2019
    page.sidebar.radio(key="f_vintage").set_value("2013").run()
    assert not page.exception
    assert page.session_state["map_view"] == (52.2, 1.2, 9.25)
    assert page.query_params["zoom"] == "9.25"
    offer = next(i.value for i in page.info if "not on the 2013 boundaries" in i.value)
    assert "East Suffolk" in offer or "E07000244" in offer
    labels = [b.label for b in page.button]
    assert "Select Suffolk Coastal" in labels and "Select Waveney" in labels


def test_a_search_that_matches_nothing_says_so_and_reset_brings_everything_back():
    everything = _counts(_page())
    page = _page({"q": "zzzz"})
    assert any("Nothing matches “zzzz”" in w.value for w in page.warning)
    next(b for b in page.sidebar.button if b.label == "Reset filters").click().run()
    assert page.sidebar.text_input(key="f_search").value == ""
    assert not page.warning
    assert _counts(page) == everything


def test_the_counts_line_says_what_is_not_drawn_and_lists_it():
    page = _page()
    note = next(c.value for c in page.caption if c.value.startswith("Not drawn"))
    counted = int(_counts(page).strip("*").split()[0])
    undrawn = int(note.split(": ")[1].split()[0])
    assert counted + undrawn == SHIPPED
    assert "switch to 2013" in note
    assert any(e.label == f"Not on the map: {undrawn} arrangements" for e in page.expander)


def test_far_partners_of_a_large_partnership_are_drawn_when_counted():
    page = _page({"q": "Anglia Revenues", "non_neighbours": "1"})
    line = _counts(page)
    assert line.startswith("**1 arrangement on the map")
    assert not any(c.value.startswith("Not drawn") for c in page.caption)


@pytest.mark.parametrize(
    "params",
    [
        {"region": "<script>alert(1)</script>"},
        {"from": "abc", "to": "20x6"},
        {"council": "E99999999"},
        {"zoom": "999", "lat": "north", "cross": "everything", "bogus": "1"},
    ],
)
def test_bad_link_settings_are_ignored_with_a_quiet_notice(params):
    page = _page(params)
    notices = [c.value for c in page.caption if c.value.startswith("ⓘ")]
    assert len(notices) >= 1
    # Every text element, captions included: where HTML is allowed no tag from the URL survives,
    # and the notice that quotes the URL has its HTML escaped and its markdown marks made inert.
    texts = [*page.markdown, *page.caption]
    assert not any("<script" in t.value for t in texts if t.proto.allow_html)
    if "region" in params:
        assert "&lt;script&gt;" in "".join(notices) and "<script" not in "".join(notices)
    assert "arrangement" in _counts(page)


def test_the_finder_selects_a_council_and_moves_the_map_to_it_and_its_partners():
    page = _page()
    page.sidebar.selectbox(key="f_find").set_value("council:E07000200").run()  # Babergh
    assert not page.exception
    assert page.session_state["selected"] == "E07000200"
    lat, lon, zoom = page.session_state["map_view"]
    assert 51.8 < lat < 52.4 and 0.5 < lon < 1.4 and zoom >= 8
    assert any(h.value == "Babergh" for h in page.subheader)
    page.sidebar.selectbox(key="f_find").set_value("arrangement:tri-borough-shared-services").run()
    assert page.session_state["arrangement"] == "tri-borough-shared-services"
    assert _counts(page).startswith("**1 arrangement on the map")


def test_a_link_naming_a_council_and_no_place_shows_it_with_its_partners():
    page = _page({"council": "E09000033"})  # Westminster
    lat, lon, zoom = page.session_state["map_view"]
    assert 50.5 < lat < 52.5 and -2 < lon < 0.5 and zoom >= 7  # the south of England, not the whole UK
    placed = _page({"council": "E09000033", "lat": "55", "lon": "-3", "zoom": "6"})
    assert placed.session_state["map_view"] == (55.0, -3.0, 6.0)  # a link's own place is kept


def test_the_server_prepares_the_first_visit_before_it_arrives(monkeypatch):
    """`python -m sharedservices serve` runs `loaders.warm` as the server starts: it writes the
    map's files for the default year and fills the caches the first visit reads."""
    import shutil

    import streamlit as st

    from sharedservices import settings
    from sharedservices.ui import loaders

    folder = settings.STATIC_DIR / "layers-test-warm"
    monkeypatch.setattr(settings, "BASE_LAYER_DIR", folder)
    st.cache_resource.clear()
    try:
        loaders.warm()
        written = sorted(path.name.split("-")[0] for path in folder.glob("*.json"))
        assert written == ["base", "details", "links", "pairs"]
        tables = loaders.link_tables("2023", None)  # from the cache: nothing new is written
        assert tables.drawn_url.startswith("/app/static/layers-test-warm/links-2023-")
        assert len(list(folder.glob("*.json"))) == 4
    finally:
        st.cache_resource.clear()  # later tests write to the real folder again
        shutil.rmtree(folder, ignore_errors=True)


def test_the_server_parses_http_and_runs_its_loop_with_the_compiled_libraries():
    """Streamlit serves the app with uvicorn, which picks httptools and uvloop when they are
    installed; without them each of the ~150 script files a page opening fetches costs ~7 ms
    instead of ~1 ms (bench/bench_pages.py's ready figures)."""
    import asyncio

    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert AutoHTTPProtocol is HttpToolsProtocol
    loop = auto_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop") and isinstance(loop, asyncio.AbstractEventLoop)
    finally:
        loop.close()


def test_sessions_with_the_same_filters_share_one_shown_and_others_get_their_own():
    """What the filters show is made once per set of filters, for every session that asks."""
    first, second = _page({"region": "Wales"}), _page({"region": "Wales"})
    assert first.session_state["_context"].shown is second.session_state["_context"].shown
    second.sidebar.multiselect(key="f_regions").set_value(["London"]).run()
    assert second.session_state["_context"].shown is not first.session_state["_context"].shown
    assert _counts(second) != _counts(first)
