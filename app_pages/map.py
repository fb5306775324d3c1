"""The map: who shares services with whom, drawn across county lines.

Thin by design: the shared filters come from the entry point (``shell.context``); this page adds
the map's own view (selection, centre, zoom, presentation), asks the library what to draw, and
draws it.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from sharedservices import filters, mapview, presentation, reorganisation
from sharedservices.domain import PLANNED_VINTAGES
from sharedservices.ui import keys, loaders, shell, state
from sharedservices.views import load_views
from sharedservices.viewstate import ViewState, to_query
from sharedservices.vintages import available_vintages

context = shell.context()
session = st.session_state
state.map_toggles()
workspace, vocabulary, vintage = context.workspace, context.vocabulary, context.filters.vintage
view = ViewState.of(context.filters, state.map_view())
council_names = context.council_names

prepared = load_views()
if view.present:
    slide = view.slide % len(prepared)
    if session.get(keys.APPLIED_SLIDE) != slide:  # entering presentation, or a new slide
        session[keys.APPLIED_SLIDE] = slide
        target = loaders.vocabulary_for(prepared[slide].vintage_for(vintage), shell.session_data())
        state.reseed(prepared[slide].apply(view.with_changes(slide=slide), target)[0], fit_places=True)
        st.rerun()
    st.markdown(presentation.SLIDE_CSS, unsafe_allow_html=True)
    back, title, ahead, leave = st.columns([1.2, 8, 1.2, 1.2], vertical_alignment="center")
    back.button(
        "◀ Back", key="present_back", width="stretch", shortcut="Left", on_click=state.present_step, args=(-1, len(prepared))
    )
    ahead.button(
        "Next ▶", key="present_next", width="stretch", shortcut="Right", on_click=state.present_step, args=(1, len(prepared))
    )
    leave.button(
        "Exit",
        key="present_exit",
        width="stretch",
        shortcut="Esc",
        help="Leave presentation mode (Esc)",
        on_click=state.present_exit,
    )
    title.markdown(presentation.slide_title_html(prepared[slide], slide, len(prepared)), unsafe_allow_html=True)
else:
    st.title("Shared Services Map")
    with st.sidebar.expander("Prepared views"):
        for number, item in enumerate(prepared):
            if st.button(item.title, key=f"view_{item.view_id}", width="stretch"):
                target = loaders.vocabulary_for(item.vintage_for(vintage), shell.session_data())
                state.reseed(item.apply(view.with_changes(slide=number), target)[0], fit_places=True)
                st.rerun()

# ---- where the map goes: to the filters' places when they change, to a slide's, to a found council ----
shown = context.shown
size = mapview.map_size_px(session.get(keys.LAST_MAP_ANSWER))
places = (view.regions, view.counties, view.search, view.arrangement)
first_visit = keys.PLACES not in session and "lat" not in context.url_at_start
if mapview.should_fit(places, session.get(keys.PLACES), first_visit=first_visit, has_rows=len(shown.long) > 0):
    state.move_map(mapview.view_for_councils(workspace.boundaries, shown.council_codes, size))
if session.pop(keys.FIT_PLACES, False) and len(shown.long):
    state.move_map(mapview.view_for_councils(workspace.boundaries, filters.places_of(shown, view) or shown.council_codes, size))
if first_visit and view.selected and not any(places):  # a link naming a council, with no place
    session[keys.FIT_COUNCIL] = view.selected
fit_council = session.pop(keys.FIT_COUNCIL, None)
if fit_council in vocabulary.councils:
    state.move_map(mapview.view_for_councils(workspace.boundaries, [fit_council, *filters.partners(shown, fit_council)], size))
view = view.with_changes(**dict(zip(("lat", "lon", "zoom"), session[keys.MAP_VIEW])))
session[keys.PLACES] = places

# The lines above the map come and go (a warning, a notice, an offer); in one container they keep
# the map in its place on the page, so a new line does not make the browser load the map again.
with st.container():
    if not view.present:
        st.markdown(f"**{filters.summary_line(shown)}**")
        if view.arrangement:
            name = workspace.arrangements.set_index("arrangement_id").loc[view.arrangement, "name"]
            if st.button(f"✕ Showing one arrangement: {name}", help="Show all arrangements again"):
                session[keys.ARRANGEMENT] = ""
                st.rerun()
        nothing = filters.no_match_sentence(view, shown)
        if nothing:
            st.warning(nothing)
        redrawn = (
            f"{workspace.mapped_through_changes} members were recorded under councils of another year and "
            "are drawn on the councils of this map that they became or came from."
            if workspace.mapped_through_changes
            else ""
        )
        about_lines = " ".join(filter(None, [filters.undrawn_sentence(shown, vintage, available_vintages()), redrawn]))
        if about_lines:
            st.caption(about_lines)
        if vintage in PLANNED_VINTAGES:
            st.info(reorganisation.planned_note(vintage))
        offer = session.get(keys.SELECTION_OFFER)
        if offer:
            gone, options = offer
            st.info(
                f"The council you had selected, {gone}, is not on the {vintage} boundaries."
                + (" It became, or came from:" if options else " Nothing on this map replaced it.")
            )
            for code in options:
                if st.button(f"Select {council_names.get(code, code)}", key=f"offer_{code}"):
                    session[keys.SELECTED] = code
                    session.pop(keys.SELECTION_OFFER)
                    st.rerun()
        if session[keys.NOTICES]:
            st.caption(" ".join(f"ⓘ {shell.escape_markdown(notice)}" for notice in session[keys.NOTICES]))
            if st.button("Dismiss", key="dismiss_notices"):
                session[keys.NOTICES] = []
                st.rerun()
    else:
        st.markdown(mapview.legend_html(shown.drawn, compact=True), unsafe_allow_html=True)

# ---- the map and the selected council's panel ----
map_column, panel = st.columns([3, 1]) if not view.present else (st.container(), None)
# The panel is written before the map, so a selection's panel shows while the map still draws.
if panel is not None:
    with panel:
        if view.selected:
            councils = workspace.boundaries.councils.set_index("code")
            council = councils.loc[view.selected]
            st.subheader(str(council["name"]))
            st.caption(f"{council['type']} · {council['region_name']}")
            profile, clear = st.columns(2)
            profile.page_link(
                shell.PAGE_FILES["council"],
                label="Profile",
                query_params=shell.link_params(council=view.selected),
                icon=":material/account_balance:",
            )
            if clear.button("Clear", help="Clear the selection: no council selected"):
                session[keys.SELECTED] = ""
                st.rerun()
            mine = filters.arrangements_of(shown, view.selected)
            partner_codes = filters.partners(shown, view.selected)
            st.write(
                f"{filters.count_of(len(mine), 'arrangement')} shown, with "
                f"{filters.count_of(len(partner_codes), 'partner council')}."
            )
            if not mine.empty:
                st.html(mapview.arrangement_cards(mine))
            county = council["upper_tier_code"]
            if (
                county != view.selected
                and county in councils.index
                and st.button(f"Select {councils.loc[county, 'name']} County Council")
            ):
                session[keys.SELECTED] = county
                st.rerun()
        else:
            st.subheader("Click a council")
            st.write(
                "Click a council, or the ○ where its lines meet, to see who it works with; click a line for the arrangement and its sources."
            )
        st.markdown("**Legend**")
        st.html(mapview.legend_html(shown.drawn))
        reorganised = mapview.reorganisation_line(shown.drawn)
        if reorganised:
            st.caption(reorganised + " (filter by it in the sidebar; the decided new councils only).")

slide_places = filters.places_of(shown, view) if view.present and (view.regions or view.counties or view.arrangement) else None
map_key = f"map-{vintage}-{view.tiles}"
# A map's first layers are written into its page, so it draws without another download; later
# ones (a filter, a click) name their links in the link tables the map fetched meanwhile.
drawn_layers = (repr(context.filters), view.selected, tuple(slide_places or ()))
drawn_before = session.setdefault(keys.FIRST_DRAWN, {})
first_drawn = drawn_before.setdefault(map_key, drawn_layers) == drawn_layers
if not first_drawn:  # the map has moved on: a return to its first view comes from the tables too
    drawn_before[map_key] = None
layers_to_add, bundled = mapview.partnership_layers(
    workspace.boundaries,
    shown,
    council_names,
    view.selected,
    slide_places,
    tables=loaders.link_tables(vintage, shell.session_data()),
    inline=first_drawn,
)
map_note = map_column.container()  # keeps the map in its place whether or not there is a note
if bundled:
    map_note.caption(
        f"Too many arrangements to draw one by one: each line joins two councils and grows with the number of "
        f"arrangements between them (the {mapview.MAX_BUNDLES} busiest pairs). Filter to see each arrangement."
    )
with map_column:
    st_folium(
        mapview.base_map(*loaders.layer_urls(vintage, shell.session_data()), tiles=view.tiles),
        key=map_key,
        # Only a commanded move (a link, a filter's fit, a prepared view) is sent to the map; the
        # map's own reports of where the user panned are kept for the URL, not sent back.
        center=session[keys.MAP_COMMAND][:2],
        zoom=session[keys.MAP_COMMAND][2],
        feature_group_to_add=layers_to_add,
        returned_objects=["last_clicked", "last_active_drawing", "center", "zoom", "bounds"],
        height=600,  # the first frame; the map then takes the height the window leaves (mapview.MapBehaviour)
        width="stretch",
        render=False,  # skip rendering the whole HTML page: streamlit-folium needs only the map
        # A click is read before the next run, so that run draws the selection and its panel at once.
        on_change=functools.partial(state.map_answered, map_key, workspace.boundaries),
    )

if not view.present and not shown.undrawn.empty:
    with st.expander(f"Not on the map: {filters.count_of(len(shown.undrawn), 'arrangement')}"):
        st.html(mapview.arrangement_cards(shown.undrawn))

# ---- share, attribution ----
query = to_query(view)
st.query_params.from_dict(query)
with st.expander("Share this view", expanded=False) if not view.present else st.empty():
    base_url = str(getattr(st.context, "url", "") or "").split("?")[0]
    # A text box, not st.code: the code block's highlighter is a 1.5 MB script every page load would parse.
    st.text_input(
        "Link to this view",
        f"{base_url}?{urlencode(query)}" if query else base_url,
        help="Select it and copy: it opens this map with the same filters, selection and zoom.",
    )
    st.caption("A shared link carries the filters and the view, not any data you uploaded.")
if not view.present:
    shell.download_menu(view.selected)
st.caption(
    "Boundaries: "
    + reorganisation.attribution(vintage)
    + " Arrangements: compiled from the public sources linked in each arrangement's details (click a line)."
)
