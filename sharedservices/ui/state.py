"""The shared sidebar's filters and the map's own view, kept in step with the URL.

On a session's first run the widgets take their values from the URL (a shared link); after that
the widgets are the truth and each page writes its view back into the URL on every run. Session
keys are named in ``keys``.
"""

from __future__ import annotations

import streamlit as st

from sharedservices import mapview
from sharedservices.arrangements import load_categories
from sharedservices.domain import CROSSINGS, OUTCOMES, PLANNED_VINTAGES, STATUSES
from sharedservices.filters import counterparts
from sharedservices.matching import load_changes
from sharedservices.ui import keys
from sharedservices.viewstate import Filters, MapView, ViewState, Vocabulary

_WIDGETS = keys.FILTER_WIDGETS | {"tiles": keys.TILES, "present": keys.PRESENT}
_CROSSING_LABELS = {"": "show all links", "county": "a county line", "region": "a regional line", "nation": "a national border"}


def seed(view: ViewState) -> None:
    """Give the widgets the URL's values, once per session (or again when a view is applied)."""
    state = st.session_state
    if state.get(keys.SEEDED):
        return
    for name, key in _WIDGETS.items():
        value = getattr(view, name)
        state[key] = list(value) if isinstance(value, tuple) else value
    state[keys.YEARS] = (view.year_from, view.year_to)  # None: the slider's end (see sidebar)
    state[keys.SELECTED] = view.selected
    state[keys.ARRANGEMENT] = view.arrangement
    state[keys.MAP_VIEW] = state[keys.MAP_COMMAND] = (view.lat, view.lon, view.zoom)
    state[keys.SLIDE] = view.slide
    state[keys.SEEDED] = True


def reseed(view: ViewState, *, fit_places: bool = False) -> None:
    """Apply a whole view (a prepared view, or "reset filters") to the widgets on the next run.

    With ``fit_places`` the map then fits the places the view is about to the map's real size
    (a slide on any screen); otherwise it keeps the view's own centre and zoom.
    """
    st.session_state[keys.SEEDED] = False
    st.session_state[keys.PENDING_VIEW] = view
    st.session_state.pop(keys.PLACES, None)
    st.session_state[keys.FIT_PLACES] = fit_places


def pending_view() -> ViewState | None:
    """A view waiting to be applied by :func:`reseed`, taken once."""
    return st.session_state.pop(keys.PENDING_VIEW, None)


def sidebar(
    vocabulary: Vocabulary, county_names: dict[str, str], vintages: tuple[str, ...], finder: dict[str, str], vocabulary_of
) -> Filters:
    """Draw the shared filters (every page) and return them.

    ``finder`` is what the finder offers (``filters.finder_options``); ``vocabulary_of(vintage)``
    gives another vintage's vocabulary, to keep the selection when the boundary year changes.
    """
    categories = load_categories().set_index("category_id")["label"]
    state = st.session_state
    with st.sidebar:
        st.selectbox(
            "Find a council or an arrangement",
            list(finder),
            format_func=lambda choice: finder.get(choice, choice),
            index=None,
            key=keys.FIND,
            placeholder="Type a name, e.g. Babergh",
            on_change=_found,
            help="Selects the council (or shows the arrangement) and moves the map there.",
        )
        st.radio(
            "Boundaries",
            vintages,
            key=keys.VINTAGE,
            horizontal=True,
            on_change=_vintage_changed,
            args=(vocabulary_of,),
            format_func=lambda v: f"{v} planned" if v in PLANNED_VINTAGES else v,  # "your file" reads as it is
            help="Council boundaries of that year; arrangements are redrawn on them. The planned years "
            "draw the new councils decided for April 2027 and April 2028.",
        )
        st.text_input(
            "Filter by name",
            key=keys.SEARCH,
            placeholder="e.g. Suffolk, LGSS",
            help="Shows only the arrangements whose name, or a member's name, contains this text.",
        )
        st.multiselect("Region or nation", sorted(vocabulary.regions), key=keys.REGIONS)
        st.multiselect(
            "County",
            sorted(vocabulary.counties, key=lambda c: county_names.get(c, c)),
            format_func=lambda c: county_names.get(c, c),
            key=keys.COUNTIES,
        )
        st.multiselect("Council type", sorted(vocabulary.types), key=keys.TYPES)
        st.multiselect("Service", list(categories.index), format_func=lambda c: categories.get(c, c), key=keys.SERVICES)
        st.multiselect("Status", list(STATUSES), key=keys.STATUSES)
        st.multiselect(
            "Reorganisation by April 2028",
            list(OUTCOMES),
            key=keys.REORGANISATION,
            help="What the decided new unitary councils do to each arrangement: all its members "
            "become one council, some merge, or it will run between new councils.",
        )
        low, high = vocabulary.years
        chosen = state.get(keys.YEARS) or (None, None)
        state[keys.YEARS] = (min(max(chosen[0] or low, low), high), max(min(chosen[1] or high, high), low))
        st.slider(
            "Active between",
            low,
            high,
            key=keys.YEARS,
            help="Arrangements active at some time in these years; years not stated count as active.",
        )
        st.radio("Only links that cross", ("", *CROSSINGS), format_func=_CROSSING_LABELS.get, key=keys.CROSSING)
        st.checkbox("Only partners that are not neighbours", key=keys.NON_NEIGHBOURS)
        st.number_input("Minimum stated savings (£ a year)", min_value=0, step=50_000, key=keys.MIN_SAVINGS)
        st.button(
            "Reset filters",
            on_click=_reset,
            width="stretch",
            help="Every filter back to its default; the boundary year and the map's place are kept.",
        )
    year_from, year_to = (int(y) for y in state[keys.YEARS])
    return Filters(
        vintage=state[keys.VINTAGE],
        regions=tuple(state[keys.REGIONS]),
        counties=tuple(state[keys.COUNTIES]),
        types=tuple(state[keys.TYPES]),
        services=tuple(state[keys.SERVICES]),
        statuses=tuple(state[keys.STATUSES]),
        year_from=None if year_from == low else year_from,
        year_to=None if year_to == high else year_to,
        crossing=state[keys.CROSSING],
        non_neighbours=bool(state[keys.NON_NEIGHBOURS]),
        min_savings=int(state[keys.MIN_SAVINGS] or 0),
        search=state[keys.SEARCH] or "",
        arrangement=state.get(keys.ARRANGEMENT, ""),
        reorganisation=tuple(state[keys.REORGANISATION]),
    )


def map_toggles() -> None:
    """The map page's own switches, under the shared filters."""
    with st.sidebar:
        st.divider()
        st.toggle("Presentation mode", key=keys.PRESENT, help="Full-screen map, large type, prepared views.")
        st.toggle("Background map (needs internet)", key=keys.TILES)


def map_view() -> MapView:
    """The map's own view as the session holds it."""
    state = st.session_state
    lat, lon, zoom = state[keys.MAP_VIEW]
    return MapView(
        selected=state.get(keys.SELECTED, ""),
        lat=lat,
        lon=lon,
        zoom=zoom,
        present=bool(state.get(keys.PRESENT, False)),
        slide=int(state.get(keys.SLIDE, 0)),
        tiles=bool(state.get(keys.TILES, False)),
    )


def _found() -> None:
    """The finder chose a council (select it, fit the map to it) or an arrangement (show it alone)."""
    state = st.session_state
    choice = state.get(keys.FIND) or ""
    kind, _, value = choice.partition(":")
    if kind == "council":
        state[keys.SELECTED] = value
        state[keys.FIT_COUNCIL] = value
        state[keys.FOUND_COUNCIL] = value
    elif kind == "arrangement":
        state[keys.ARRANGEMENT] = value
    state[keys.FIND] = None


def _vintage_changed(vocabulary_of) -> None:
    """Keep the map's place across a change of boundary year, and the selection where it exists;
    where it does not, say so and offer the councils it became or came from."""
    state = st.session_state
    state[keys.MAP_COMMAND] = state[keys.MAP_VIEW]
    selected = state.get(keys.SELECTED, "")
    target = vocabulary_of(state[keys.VINTAGE])
    if selected and selected not in target.councils:
        changes = load_changes()
        names = dict(zip(changes["predecessor_code"], changes["predecessor_name"])) | dict(
            zip(changes["successor_code"], changes["successor_name"])
        )
        state[keys.SELECTION_OFFER] = (names.get(selected, selected), counterparts(selected, target.councils, changes))
        state[keys.SELECTED] = ""


def _reset() -> None:
    """Every filter to its default, keeping the boundary year, the map's place and presentation."""
    state = st.session_state
    lat, lon, zoom = state[keys.MAP_VIEW]
    reseed(ViewState(vintage=state[keys.VINTAGE], lat=lat, lon=lon, zoom=zoom, tiles=bool(state.get(keys.TILES, False))))


def move_map(view: tuple[float, float, float]) -> None:
    """Send the map to a (lat, lon, zoom), and keep it as the view for the URL."""
    st.session_state[keys.MAP_VIEW] = st.session_state[keys.MAP_COMMAND] = view


def present_step(step: int, views: int) -> None:
    """Button callback: the next (+1) or previous (-1) prepared view."""
    st.session_state[keys.SLIDE] = (int(st.session_state.get(keys.SLIDE, 0)) + step) % views


def present_exit() -> None:
    """Button callback: leave presentation mode (runs before the toggle is drawn again)."""
    st.session_state[keys.PRESENT] = False
    st.session_state.pop(keys.APPLIED_SLIDE, None)


def map_answered(map_key: str, boundaries) -> None:
    """The map's callback: a click selects a council or clears the selection; a pan or zoom is
    kept for the URL. Runs before the page, so one run draws the result."""
    state = st.session_state
    answer, previous = state.get(map_key), state.get(keys.LAST_MAP_ANSWER)
    action = mapview.click_action(answer, previous, boundaries)
    state[keys.LAST_MAP_ANSWER] = answer
    moved = mapview.moved_to(answer, previous, state.get(keys.MAP_COMMAND))
    if moved:
        state[keys.MAP_VIEW] = moved
    if action and action[0] in ("council", "clear"):
        state[keys.SELECTED] = action[1] or ""
        state.pop(keys.SELECTION_OFFER, None)
