"""The sidebar's filters, kept in step with the URL.

On a session's first run the widgets take their values from the URL (a shared link); after that
the widgets are the truth and the page writes the view back into the URL on every run.
"""

from __future__ import annotations

import streamlit as st

from sharedservices.arrangements import load_categories
from sharedservices import mapview
from sharedservices.filters import counterparts
from sharedservices.matching import load_changes
from sharedservices.viewstate import CROSSINGS, STATUSES, YEAR_RANGE, ViewState, Vocabulary

_SEEDED = "_view_seeded"
_WIDGETS = {
    "vintage": "f_vintage", "regions": "f_regions", "counties": "f_counties", "types": "f_types",
    "services": "f_services", "statuses": "f_statuses", "crossing": "f_crossing",
    "non_neighbours": "f_far", "min_savings": "f_savings", "search": "f_search", "tiles": "f_tiles",
    "present": "f_present",
}
_CROSSING_LABELS = {"": "show all links", "county": "a county line", "region": "a regional line", "nation": "a national border"}


def seed(view: ViewState) -> None:
    """Give the widgets the URL's values, once per session (or again when a view is applied)."""
    if st.session_state.get(_SEEDED):
        return
    for name, key in _WIDGETS.items():
        value = getattr(view, name)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value
    st.session_state["f_years"] = (view.year_from, view.year_to)
    st.session_state["selected"] = view.selected
    st.session_state["arrangement"] = view.arrangement
    st.session_state["map_view"] = st.session_state["map_command"] = (view.lat, view.lon, view.zoom)
    st.session_state["slide"] = view.slide
    st.session_state[_SEEDED] = True


def reseed(view: ViewState, *, fit_places: bool = False) -> None:
    """Apply a whole view (a prepared view, or "reset filters") to the widgets on the next run.

    With ``fit_places`` the map then fits the places the view is about to the map's real size
    (a slide on any screen); otherwise it keeps the view's own centre and zoom.
    """
    st.session_state[_SEEDED] = False
    st.session_state["_pending_view"] = view
    st.session_state.pop("_places", None)
    st.session_state["_fit_places"] = fit_places


def pending_view() -> ViewState | None:
    """A view waiting to be applied by :func:`reseed`, taken once."""
    return st.session_state.pop("_pending_view", None)


def sidebar(vocabulary: Vocabulary, county_names: dict[str, str], vintages: tuple[str, ...],
            finder: dict[str, str], vocabulary_of) -> ViewState:
    """Draw the filters and return the view they describe.

    ``finder`` is what the finder offers (``filters.finder_options``); ``vocabulary_of(vintage)``
    gives another vintage's vocabulary, to keep the selection when the boundary year changes.
    """
    categories = load_categories().set_index("category_id")["label"]
    with st.sidebar:
        st.selectbox("Find a council or an arrangement", list(finder), format_func=finder.get, index=None,
                     key="f_find", placeholder="Type a name, e.g. Babergh", on_change=_found,
                     help="Selects the council (or shows the arrangement) and moves the map there.")
        st.radio("Boundaries", vintages, key="f_vintage", horizontal=True, on_change=_vintage_changed,
                 args=(vocabulary_of,), help="Council boundaries of that year; arrangements are redrawn on them.")
        st.text_input("Filter by name", key="f_search", placeholder="e.g. Suffolk, LGSS",
                      help="Shows only the arrangements whose name, or a member's name, contains this text.")
        st.multiselect("Region or nation", sorted(vocabulary.regions), key="f_regions")
        st.multiselect("County", sorted(vocabulary.counties, key=lambda c: county_names.get(c, c)),
                       format_func=lambda c: county_names.get(c, c), key="f_counties")
        st.multiselect("Council type", sorted(vocabulary.types), key="f_types")
        st.multiselect("Service", list(categories.index), format_func=lambda c: categories.get(c, c), key="f_services")
        st.multiselect("Status", list(STATUSES), key="f_statuses")
        st.slider("Active between", YEAR_RANGE[0], YEAR_RANGE[1], key="f_years")
        st.radio("Only links that cross", ("", *CROSSINGS), format_func=_CROSSING_LABELS.get, key="f_crossing")
        st.checkbox("Only partners that are not neighbours", key="f_far")
        st.number_input("Minimum stated savings (£ a year)", min_value=0, step=50_000, key="f_savings")
        st.button("Reset filters", on_click=_reset, use_container_width=True,
                  help="Every filter back to its default; the boundary year and the map's place are kept.")
        st.divider()
        st.toggle("Presentation mode", key="f_present", help="Full-screen map, large type, prepared views.")
        st.toggle("Background map (needs internet)", key="f_tiles")
    state = st.session_state
    lat, lon, zoom = state["map_view"]
    return ViewState(
        vintage=state["f_vintage"], regions=tuple(state["f_regions"]), counties=tuple(state["f_counties"]),
        types=tuple(state["f_types"]), services=tuple(state["f_services"]), statuses=tuple(state["f_statuses"]),
        year_from=int(state["f_years"][0]), year_to=int(state["f_years"][1]), crossing=state["f_crossing"],
        non_neighbours=bool(state["f_far"]), min_savings=int(state["f_savings"] or 0),
        search=state["f_search"] or "", arrangement=state.get("arrangement", ""),
        selected=state.get("selected", ""), lat=lat, lon=lon, zoom=zoom,
        present=bool(state["f_present"]), slide=int(state.get("slide", 0)), tiles=bool(state["f_tiles"]),
    )


def _found() -> None:
    """The finder chose a council (select it, fit the map to it) or an arrangement (show it alone)."""
    state = st.session_state
    choice = state.get("f_find") or ""
    kind, _, value = choice.partition(":")
    if kind == "council":
        state["selected"] = value
        state["_fit_council"] = value
    elif kind == "arrangement":
        state["arrangement"] = value
    state["f_find"] = None


def _vintage_changed(vocabulary_of) -> None:
    """Keep the map's place across a change of boundary year, and the selection where it exists;
    where it does not, say so and offer the councils it became or came from."""
    state = st.session_state
    state["map_command"] = state["map_view"]
    selected = state.get("selected", "")
    target = vocabulary_of(state["f_vintage"])
    if selected and selected not in target.councils:
        changes = load_changes()
        names = dict(zip(changes["predecessor_code"], changes["predecessor_name"])) | \
            dict(zip(changes["successor_code"], changes["successor_name"]))
        state["_selection_offer"] = (names.get(selected, selected), counterparts(selected, target.councils, changes))
        state["selected"] = ""


def _reset() -> None:
    """Every filter to its default, keeping the boundary year, the map's place and presentation."""
    state = st.session_state
    lat, lon, zoom = state["map_view"]
    reseed(ViewState(vintage=state["f_vintage"], lat=lat, lon=lon, zoom=zoom, tiles=bool(state["f_tiles"])))


def move_map(view: tuple[float, float, float]) -> None:
    """Send the map to a (lat, lon, zoom), and keep it as the view for the URL."""
    st.session_state["map_view"] = st.session_state["map_command"] = view


def present_step(step: int, views: int) -> None:
    """Button callback: the next (+1) or previous (-1) prepared view."""
    st.session_state["slide"] = (int(st.session_state.get("slide", 0)) + step) % views


def present_exit() -> None:
    """Button callback: leave presentation mode (runs before the toggle is drawn again)."""
    st.session_state["f_present"] = False
    st.session_state.pop("_applied_slide", None)


def map_answered(map_key: str, layers) -> None:
    """The map's callback: a click selects a council or clears the selection; a pan or zoom is
    kept for the URL. Runs before the page, so one run draws the result."""
    state = st.session_state
    answer, previous = state.get(map_key), state.get("_last_map_answer")
    action = mapview.click_action(answer, previous, layers)
    state["_last_map_answer"] = answer
    moved = mapview.moved_to(answer, previous, state.get("map_command"))
    if moved:
        state["map_view"] = moved
    if action and action[0] in ("council", "clear"):
        state["selected"] = action[1] or ""
        state.pop("_selection_offer", None)
