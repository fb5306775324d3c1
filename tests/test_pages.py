"""Every page driven through Streamlit's AppTest: renders, follows the shared filters, and meets
bad input with a sentence, never an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sharedservices import settings
from sharedservices.ui.shell import escape_markdown

APP = str(settings.PROJECT_ROOT / "app.py")
PAGES = [
    "app_pages/map.py",
    "app_pages/arrangements.py",
    "app_pages/council.py",
    "app_pages/insights.py",
    "app_pages/data.py",
    "app_pages/about.py",
]


def _open(page: str, **params: str) -> AppTest:
    """The app opened at the map (as a session starts), then at ``page`` with ``params``."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _texts(app: AppTest) -> str:
    return " ".join(
        str(e.value) for kind in ("markdown", "caption", "warning", "info", "title", "subheader") for e in getattr(app, kind)
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_and_keeps_the_filters_of_another_page(page):
    app = _open("app_pages/about.py")
    app.sidebar.multiselect(key="f_regions").set_value(["Wales"]).run()
    app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.sidebar.multiselect(key="f_regions").value == ["Wales"]
    assert app.query_params["region"] in ("Wales", ["Wales"])


@pytest.mark.parametrize("page", PAGES)
def test_no_page_writes_a_stray_value_of_its_code(page):
    """A bare expression in a page script is written into the page by Streamlit's "magic" (a
    ``None`` under the map's Download menu, once): no page shows one, selected or not."""
    for params in ({}, {"council": "E07000200"}):
        app = _open(page, **params)
        stray = [e.value for e in app.markdown if str(e.value).strip("` ") in ("None", "True", "False", "")]
        assert not stray, stray


def test_the_arrangements_table_follows_the_region_filter():
    app = _open("app_pages/arrangements.py")
    everything = app.dataframe[0].value
    app.sidebar.multiselect(key="f_regions").set_value(["Wales"]).run()
    welsh = app.dataframe[0].value
    assert 0 < len(welsh) < len(everything) == len(app.session_state["_context"].workspace.arrangements)
    shown = app.session_state["_context"].shown
    assert list(welsh["Arrangement"]) == list(shown.arrangements["name"])
    assert any(f"these {len(welsh)} rows" in button.label for button in app.get("download_button"))


def test_insights_follow_the_filters():
    app = _open("app_pages/insights.py")
    before = _texts(app)
    groups_before = len(app.dataframe[0].value)
    app.sidebar.multiselect(key="f_regions").set_value(["Wales"]).run()
    assert not app.exception
    assert f"From the {len(app.session_state['_context'].shown.arrangements)} arrangements" in _texts(app)
    assert _texts(app) != before and len(app.dataframe[0].value) < groups_before


def test_a_council_profile_shows_its_partners_and_links_to_theirs():
    app = _open("app_pages/council.py", council="E07000200")  # Babergh
    assert app.title[0].value == "Babergh"
    links = {link.proto.label: link.proto.query_string for link in app.get("page_link")}
    assert "council=E07000203" in links["Mid Suffolk"]  # the partner's profile
    assert "council=E07000200" in links["Show on the map"]
    assert "Councils like this one share" in _texts(app)
    assert app.session_state["selected"] == "E07000200"  # the map keeps it selected
    app.sidebar.multiselect(key="f_regions").set_value(["Wales"]).run()
    assert "region=Wales" in {link.proto.label: link.proto.query_string for link in app.get("page_link")}["Show on the map"]


def test_a_profile_with_many_partners_lists_the_first_twelve_and_the_rest_in_one_list():
    """Essex has 39 partners: twelve rows with their links, the other 27 in one list whose links
    open their profiles with the filters kept (one element, not 81)."""
    app = _open("app_pages/council.py", council="E10000012")

    def listed():
        partners = app.session_state["_context"].shown.remember(("partners_table", "E10000012"), lambda: None)
        rows = [link for link in app.get("page_link") if link.proto.label in set(partners["name"])]
        (rest,) = app.expander
        return partners, rows, rest.label, rest.markdown[0].value

    partners, rows, label, rest = listed()
    assert len(partners) > 12 and len(rows) == 12 and all("council=" in row.proto.query_string for row in rows)
    assert label.startswith(f"{len(partners) - 12} more partners") and rest.count("](council?") == len(partners) - 12
    app.sidebar.multiselect(key="f_statuses").set_value(["operational"]).run()
    partners, rows, label, rest = listed()
    assert len(partners) > 12 and "status=operational" in rest and rest.count("](council?") == len(partners) - 12


@pytest.mark.parametrize(
    "code, says",
    [
        ("<script>alert(1)</script>", "No council has the code"),
        ("E99999999", "No council has the code"),
        ("E07000201", "was replaced by, or became part of"),  # Forest Heath, now West Suffolk
    ],
)
def test_a_profile_of_an_unknown_or_abolished_code_says_so(code, says):
    app = _open("app_pages/council.py", council=code)
    texts = _texts(app)
    assert says in texts and "<script>" not in texts


def test_names_with_an_apostrophe_read_as_written_on_a_profile():
    """Escaping for markdown keeps quotes: an escaped entity would show as "Children&#x27;s"."""
    app = _open("app_pages/council.py", council="W06000002")  # Gwynedd shares children's services
    texts = _texts(app)
    assert "**Children's and education**:" in texts
    assert "&\\#" not in texts and "&#x27;" not in texts
    assert escape_markdown("<b>King's & *Co*</b>") == "&lt;b&gt;King's &amp; \\*Co\\*&lt;/b&gt;"


def test_an_abolished_council_offers_its_successor():
    app = _open("app_pages/council.py", council="E07000201")
    labels = [link.proto.label for link in app.get("page_link")]
    assert "West Suffolk" in labels


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_filter_result_is_a_sentence_on_every_page(page):
    app = _open(page)
    app.sidebar.text_input(key="f_search").input("no council is called this").run()
    assert not app.exception, [e.message for e in app.exception]
    if page.endswith(("map.py", "arrangements.py", "insights.py")):
        assert "Nothing matches" in _texts(app)


def test_the_planned_boundaries_are_offered_and_marked_planned():
    app = _open("app_pages/map.py")
    radio = app.sidebar.radio(key="f_vintage")
    assert list(radio.options) == ["2013", "2023", "2027 planned", "2028 planned"]
    radio.set_value("2028").run()
    assert not app.exception, [e.message for e in app.exception]
    texts = _texts(app)
    assert (
        "Planned boundaries, not yet in force" in texts
        and "Norfolk (3 new councils)" in texts
        and "from 2028-04-01 (decided)" in texts
    )
    councils = app.session_state["_context"].workspace.boundaries.councils
    assert {"X-east-surrey", "X-west-norfolk"} <= set(councils["code"]) and "E07000209" not in set(councils["code"])


def test_the_reorganisation_filter_keeps_the_arrangements_it_names():
    app = _open("app_pages/arrangements.py")
    app.sidebar.multiselect(key="f_reorg").set_value(["becomes internal"]).run()
    table = app.dataframe[0].value
    assert 0 < len(table) < 20 and set(table["By April 2028"]) == {"becomes internal"}
    assert app.query_params["reorg"] in ("becomes internal", ["becomes internal"])


def test_a_profile_says_what_reorganisation_does_to_the_council():
    app = _open("app_pages/council.py", council="E07000209")  # Guildford
    assert any("part of West Surrey Council (decided)" in i.value and "of its" in i.value for i in app.info)
