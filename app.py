"""The map page: who shares services with whom, drawn across county lines.

Thin by design: it reads the view from the URL and the widgets, asks the library for what to
show, and draws it. Run with ``make run``.
"""

from __future__ import annotations

import functools
import html
from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from sharedservices import filters, mapview
from sharedservices.hierarchy import VINTAGES
from sharedservices.ui import loaders, state
from sharedservices.viewstate import from_query, to_query
from sharedservices.views import load_views
from sharedservices.vintages import vintage_sources

st.set_page_config(page_title="Shared Services Map", page_icon="🗺️", layout="wide")
st.markdown("<style>.block-container{padding-top:1rem;padding-bottom:1rem}h1{font-size:2rem!important;"
            "padding:0 0 0.25rem 0!important}</style>", unsafe_allow_html=True)

# ---- the view: from the URL on a session's first run, then from the widgets ----
url_params = st.query_params.to_dict()
url_vintage = url_params.get("vintage", "2023") if url_params.get("vintage") in VINTAGES else "2023"
url_view, notices = from_query(url_params, loaders.vocabulary(url_vintage))
pending = state.pending_view()
state.seed(pending or url_view)
vintage = st.session_state["f_vintage"]
workspace = loaders.shipped_workspace(vintage)
vocabulary = loaders.vocabulary(vintage)
county_names = dict(zip(workspace.layers.counties["code"], workspace.layers.counties["name"]))
view = state.sidebar(vocabulary, county_names, VINTAGES, loaders.finder(vintage), loaders.vocabulary)
if view.selected and view.selected not in vocabulary.councils:
    view = view.with_changes(selected="")
    st.session_state["selected"] = ""
council_names = workspace.layers.councils.set_index("code")["name"]

prepared = load_views()
if view.present:
    slide = view.slide % len(prepared)
    if st.session_state.get("_applied_slide") != slide:  # entering presentation, or a new slide
        st.session_state["_applied_slide"] = slide
        state.reseed(prepared[slide].apply(view.with_changes(slide=slide), vocabulary)[0], fit_places=True)
        st.rerun()
    st.markdown(
        "<style>section[data-testid='stSidebar']{display:none}"
        "header[data-testid='stHeader']{display:none}"
        ".block-container{padding:0.5rem 1rem 0 1rem;max-width:100%}"
        "html,body,[class*='st-']{font-size:1.15rem}</style>",
        unsafe_allow_html=True,
    )
    current = prepared[slide]
    back, title, ahead, leave = st.columns([1.2, 8, 1.2, 1.2], vertical_alignment="center")
    back.button("◀ Back", key="present_back", use_container_width=True, shortcut="Left",
                on_click=state.present_step, args=(-1, len(prepared)))
    ahead.button("Next ▶", key="present_next", use_container_width=True, shortcut="Right",
                 on_click=state.present_step, args=(1, len(prepared)))
    leave.button("Exit", key="present_exit", use_container_width=True, shortcut="Esc",
                 help="Leave presentation mode (Esc)", on_click=state.present_exit)
    title.markdown(
        f"<div class='slide-title' title='{html.escape(current.title)}'>"
        f"<div style='font-size:1.7rem;font-weight:700;line-height:1.2;white-space:nowrap;overflow:hidden;"
        f"text-overflow:ellipsis'>{html.escape(current.title)} <span style='font-weight:400;color:#4a5561;"
        f"font-size:1.1rem'>· {slide + 1} of {len(prepared)}</span></div>"
        f"<div style='font-size:1rem;color:#333;line-height:1.3;white-space:nowrap;overflow:hidden;"
        f"text-overflow:ellipsis'>{html.escape(current.caption)}</div></div>",
        unsafe_allow_html=True,
    )
else:
    st.title("Shared Services Map")
    with st.sidebar.expander("Prepared views"):
        for number, item in enumerate(prepared):
            if st.button(item.title, key=f"view_{item.view_id}", use_container_width=True):
                state.reseed(item.apply(view.with_changes(slide=number), vocabulary)[0], fit_places=True)
                st.rerun()

# ---- what to show ----
shown = filters.apply(workspace, view)
# A new choice of places (region, county, search, one arrangement) moves the map to show them;
# so does the finder's choice of a council (with its partners).
size = mapview.map_size_px(st.session_state.get("_last_map_answer"))
places = (view.regions, view.counties, view.search, view.arrangement)
first_run_without_centre = "_places" not in st.session_state and "lat" not in url_params and not pending
if (first_run_without_centre or st.session_state.get("_places") not in (None, places)) and len(shown.long) \
        and places != ((), (), "", ""):
    state.move_map(mapview.view_for_councils(workspace.layers, shown.council_codes, size))
if st.session_state.pop("_fit_places", False) and len(shown.long):
    state.move_map(mapview.view_for_councils(workspace.layers, filters.places_of(shown, view) or shown.council_codes, size))
fit_council = st.session_state.pop("_fit_council", None)
if fit_council in vocabulary.councils:
    state.move_map(mapview.view_for_councils(workspace.layers, [fit_council, *filters.partners(shown, fit_council)], size))
view = view.with_changes(**dict(zip(("lat", "lon", "zoom"), st.session_state["map_view"])))
st.session_state["_places"] = places

if not view.present:
    st.markdown(f"**{filters.summary_line(shown)}**")
    if view.arrangement:
        name = workspace.arrangements.set_index("arrangement_id").loc[view.arrangement, "name"]
        if st.button(f"✕ Showing one arrangement: {name}", help="Show all arrangements again"):
            st.session_state["arrangement"] = ""
            st.rerun()
    nothing = filters.no_match_sentence(view, shown)
    if nothing:
        st.warning(nothing)
    redrawn = (f"{workspace.mapped_through_changes} members were recorded under councils of another year and "
               f"are drawn on their {vintage} predecessors or successors." if workspace.mapped_through_changes else "")
    about_lines = " ".join(filter(None, [filters.undrawn_sentence(shown, vintage, VINTAGES), redrawn]))
    if about_lines:
        st.caption(about_lines)
    offer = st.session_state.get("_selection_offer")
    if offer:
        gone, options = offer
        st.info(f"The council you had selected, {gone}, is not on the {vintage} boundaries."
                + (" It became, or came from:" if options else " Nothing on this map replaced it."))
        for code in options:
            if st.button(f"Select {council_names.get(code, code)}", key=f"offer_{code}"):
                st.session_state["selected"] = code
                st.session_state.pop("_selection_offer")
                st.rerun()
    st.session_state.setdefault("_notices", notices)
    if st.session_state["_notices"]:
        st.caption(" ".join(f"ⓘ {notice}" for notice in st.session_state["_notices"]))
        if st.button("Dismiss", key="dismiss_notices"):
            st.session_state["_notices"] = []
            st.rerun()
else:
    st.markdown(mapview.legend_html(shown.drawn, compact=True), unsafe_allow_html=True)

# ---- the map and the selected council's panel ----
map_column, panel = st.columns([3, 1]) if not view.present else (st.container(), None)
partners = filters.partners(shown, view.selected) if view.selected else []
# The panel is written before the map, so a selection's panel shows while the map still draws.
if panel is not None:
    with panel:
        if view.selected:
            councils = workspace.layers.councils.set_index("code")
            council = councils.loc[view.selected]
            st.subheader(str(council["name"]))
            st.caption(f"{council['type']} · {council['region_name']}")
            if st.button("Clear selection"):
                st.session_state["selected"] = ""
                st.rerun()
            mine = filters.arrangements_of(shown, view.selected)
            st.write(f"{filters.count_of(len(mine), 'arrangement')} shown, with {filters.count_of(len(partners), 'partner council')}.")
            for _, row in mine.iterrows():
                st.markdown(mapview.arrangement_card(row), unsafe_allow_html=True)
            county = council["upper_tier_code"]
            if county != view.selected and county in councils.index:
                if st.button(f"Select {councils.loc[county, 'name']} County Council"):
                    st.session_state["selected"] = county
                    st.rerun()
        else:
            st.subheader("Click a council")
            st.write("Click a council, or the ○ where its lines meet, to see who it works with; click a line for the arrangement and its sources.")
        st.markdown("**Legend**")
        st.markdown(mapview.legend_html(shown.drawn), unsafe_allow_html=True)

bundled = len(shown.arrangements) > mapview.BUNDLE_ABOVE
if bundled:
    layers_to_add = [mapview.bundled_links_layer(shown.map_links, shown.arrangements, council_names)]
    map_column.caption(
        f"Too many arrangements to draw one by one: each line joins two councils and grows with the number of "
        f"arrangements between them (the {mapview.MAX_BUNDLES} busiest pairs). Filter to see each arrangement."
    )
else:
    focus = set(filters.arrangements_of(shown, view.selected)["arrangement_id"]) if view.selected else None
    layers_to_add = [mapview.links_layer(shown.map_links, shown.arrangements, council_names, focus)]
if view.selected:
    layers_to_add.insert(0, mapview.highlight_layer(workspace.layers, view.selected, partners))
elif view.present and (view.regions or view.counties or view.arrangement):
    layers_to_add.insert(0, mapview.highlight_layer(workspace.layers, "", filters.places_of(shown, view)))
map_key = f"map-{vintage}-{view.tiles}"
with map_column:
    st_folium(
        mapview.base_map(loaders.base_layer_url(vintage), tiles=view.tiles),
        key=map_key,
        # Only a commanded move (a link, a filter's fit, a prepared view) is sent to the map; the
        # map's own reports of where the user panned are kept for the URL, not sent back.
        center=st.session_state["map_command"][:2],
        zoom=st.session_state["map_command"][2],
        feature_group_to_add=layers_to_add,
        returned_objects=["last_clicked", "last_active_drawing", "center", "zoom", "bounds"],
        height=600,  # the first frame; the map then takes the height the window leaves (mapview.MapBehaviour)
        use_container_width=True,
        render=False,  # skip rendering the whole HTML page: streamlit-folium needs only the map
        # A click is read before the next run, so that run draws the selection and its panel at once.
        on_change=functools.partial(state.map_answered, map_key, workspace.layers),
    )

if not view.present and not shown.undrawn.empty:
    with st.expander(f"Not on the map: {filters.count_of(len(shown.undrawn), 'arrangement')}"):
        for _, row in shown.undrawn.iterrows():
            st.markdown(mapview.arrangement_card(row), unsafe_allow_html=True)

# ---- share, attribution ----
query = to_query(view)
st.query_params.from_dict(query)
with st.expander("Share this view, or download its rows", expanded=False) if not view.present else st.empty():
    base_url = str(getattr(st.context, "url", "") or "").split("?")[0]
    # A text box, not st.code: the code block's highlighter is a 1.5 MB script every page load would parse.
    st.text_input("Link to this view", f"{base_url}?{urlencode(query)}" if query else base_url,
                  help="Select it and copy: it opens this map with the same filters, selection and zoom.")
    st.download_button(
        f"Download the {len(shown.arrangements)} arrangements shown (CSV, with sources)",
        filters.rows_csv(shown).encode("utf-8"),
        file_name=f"shared-services-{vintage}.csv",
        mime="text/csv",
    )
st.caption(
    "Boundaries: " + vintage_sources(vintage)["attribution"]
    + " Arrangements: compiled from the public sources linked in each arrangement's details (click a line)."
)
