"""What every page shares in one run: the session's view from the URL, the shared sidebar, the
data joined and filtered once, and the page's link back into the URL.

The entry point (``app.py``) calls :func:`start` before ``st.navigation`` runs the page; the page
then reads :func:`context`. Filters chosen on one page therefore hold on every page and in the URL.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sharedservices import uploads
from sharedservices.filters import Shown
from sharedservices.ui import keys, loaders, state
from sharedservices.viewstate import Filters, ViewState, Vocabulary, from_query, to_query
from sharedservices.workspace import Workspace

#: Page scripts and their URL paths; the map is the default page at ``/``.
PAGE_FILES = {
    "map": "app_pages/map.py",
    "arrangements": "app_pages/arrangements.py",
    "council": "app_pages/council.py",
    "insights": "app_pages/insights.py",
    "data": "app_pages/data.py",
    "about": "app_pages/about.py",
}
#: The page menu: page -> (label, Material icon).
MENU = {
    "map": ("Map", ":material/map:"),
    "arrangements": ("Arrangements", ":material/table_view:"),
    "council": ("Council profile", ":material/account_balance:"),
    "insights": ("Insights", ":material/insights:"),
    "data": ("Your data", ":material/upload_file:"),
    "about": ("About", ":material/info:"),
}


@dataclass
class Context:
    """One run's shared state: the filters, the session's data and what the filters show."""

    filters: Filters
    workspace: Workspace
    vocabulary: Vocabulary
    shown: Shown
    url_at_start: dict[str, str]

    @property
    def council_names(self) -> pd.Series:
        """GSS code -> council name on this run's boundary year."""
        return self.workspace.boundaries.council_names


def start(page: str) -> Context:
    """Seed the session from the URL (first run), draw the shared sidebar, filter the data.

    ``page`` is the name of the page about to run (a key of :data:`PAGE_FILES`); a council chosen
    in the finder on any page but the map opens its profile.
    """
    session = st.session_state
    if keys.URL_AT_START not in session:
        session[keys.URL_AT_START] = st.query_params.to_dict()
    url = session[keys.URL_AT_START]
    url_vintage = url.get("vintage") if url.get("vintage") in loaders.offered_vintages() else Filters().vintage
    url_view, notices = from_query(url, loaders.vocabulary(url_vintage))
    session.setdefault(keys.NOTICES, notices)
    state.seed(state.pending_view() or url_view)
    # The map page's own switches are not drawn on other pages; keep their values alive meanwhile.
    for key in (keys.PRESENT, keys.TILES):
        session[key] = bool(session.get(key, False))
    data = session_data()
    if keys.NEXT_VINTAGE in session:
        session[keys.VINTAGE] = session.pop(keys.NEXT_VINTAGE)
    if session[keys.VINTAGE] not in loaders.vintages_for(data):  # the upload it named was put away
        session[keys.VINTAGE] = Filters().vintage
    vintage = session[keys.VINTAGE]
    workspace = loaders.workspace_for(vintage, data)
    vocabulary = loaders.vocabulary_for(vintage, data)
    _tell_assumptions(vintage, workspace.boundaries.info)
    county_names = dict(zip(workspace.boundaries.counties["code"], workspace.boundaries.counties["name"]))
    chosen = state.sidebar(
        vocabulary,
        county_names,
        loaders.vintages_for(data),
        loaders.finder_for(vintage, data),
        functools.partial(loaders.vocabulary_for, data=data),
    )
    if session.get(keys.SELECTED) and session[keys.SELECTED] not in vocabulary.councils:
        session[keys.SELECTED] = ""
    found = session.pop(keys.FOUND_COUNCIL, None)
    if found and page != "map":
        # The profile's run that switch_page starts gets no widget values from the browser, so
        # the filters go to it as a view to seed, as they would from a link.
        state.reseed(ViewState.of(chosen, state.map_view()))
        st.switch_page(PAGE_FILES["council"], query_params=to_query(chosen) | {"council": found})
    context = Context(chosen, workspace, vocabulary, loaders.shown_for(chosen, data, workspace), url)
    session[keys.CONTEXT] = context
    if not session.get(keys.PRESENT):  # a slide has the whole screen
        _menu(chosen, session.get(keys.SELECTED, ""))
        if data is not None:
            _own_data_banner(data)
    return context


def session_data() -> uploads.SessionData | None:
    """What this session uploaded on the "Your data" page, or None for the shipped data."""
    data = st.session_state.get(keys.SESSION_DATA)
    return None if data is None or data.empty else data


def use_shipped_data() -> None:
    """Button callback: put the session's uploads away; every page shows the shipped data again."""
    st.session_state.pop(keys.SESSION_DATA, None)
    if st.session_state.get(keys.VINTAGE) == uploads.UPLOAD_VINTAGE:
        st.session_state[keys.VINTAGE] = Filters().vintage


def _own_data_banner(data: uploads.SessionData) -> None:
    """Say on every page that this session shows its own data, with the way back."""
    what = " and ".join(f"“{escape_markdown(name)}”" for name in (data.table_name, data.boundaries_name) if name)
    text, back = st.columns([4, 1], vertical_alignment="center")
    text.info(
        f"You are looking at your own data ({what}), in this browser tab only; "
        "shared links and other people still see the shipped data.",
        icon=":material/upload_file:",
    )
    back.button("Back to the shipped data", on_click=use_shipped_data, key="shipped_again", width="stretch")


def _tell_assumptions(vintage: str, info: dict) -> None:
    """Say once per session what was assumed in reading a vintage's boundary files (an assumed
    CRS, names taken from codes); planned vintages' notes are their approximations, shown on the map."""
    told = st.session_state.setdefault(keys.ASSUMPTIONS_SHOWN, set())
    notes = [] if info.get("planned") else info.get("notes", [])
    if notes and vintage not in told:
        told.add(vintage)
        st.info(f"About the {vintage} boundary files: " + " ".join(escape_markdown(n) for n in notes), icon=":material/info:")


def _menu(chosen: Filters, selected: str) -> None:
    """The page menu, its links carrying the filters (and the selected council), so moving to
    another page is one step in the browser's history and Back returns to the page as it was."""
    with st.container(horizontal=True, key="page_menu", gap="small"):
        for name, (label, icon) in MENU.items():
            extra = {"council": selected} if name in ("map", "council") and selected else {}
            st.page_link(PAGE_FILES[name], label=label, icon=icon, query_params=to_query(chosen) | extra)


def context() -> Context:
    """This run's context, made by :func:`start` in the entry point."""
    return st.session_state[keys.CONTEXT]


def link_params(**extra: str) -> dict[str, str]:
    """Query parameters for a link to another page: this run's filters plus the page's own."""
    return to_query(context().filters) | {name: value for name, value in extra.items() if value}


def publish(**extra: str) -> None:
    """Write this page's view into the URL: the shared filters plus the page's own settings."""
    st.query_params.from_dict(link_params(**extra))


def escape_markdown(text: str) -> str:
    """Text from a data file made safe for ``st.markdown``: HTML escaped, markdown marks inert.

    Quotes stay as they are: an entity such as ``&#x27;`` would have its ``#`` escaped below and
    show as text ("Children&#x27;s"); outside a tag a quote is harmless."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", html.escape(str(text), quote=False))


def download_menu(selected: str = "") -> None:
    """One "Download" menu with every format of the view the filters select (with ``selected``,
    that council's arrangements), each file named after the view and built only when clicked."""
    from sharedservices import exports, reorganisation

    chosen, workspace = context().filters, context().workspace
    names = context().council_names
    stem = exports.file_stem(
        chosen.vintage, *chosen.regions, *chosen.services, chosen.search, str(names.get(selected, "")) if selected else ""
    )
    labels = {
        "csv": "Table (CSV)",
        "xlsx": "Table with links (Excel)",
        "geojson": "Links and councils (GeoJSON, for GIS)",
        "html": "Map to open offline (HTML)",
        "png": "Picture for print (PNG)",
        "svg": "Picture to edit (SVG)",
    }
    with st.popover("Download", icon=":material/download:"):
        st.caption(
            "Exactly what the filters select"
            + (f", for {names.get(selected, selected)}" if selected else "")
            + ". Pictures and maps take a few seconds to make."
        )
        for fmt, (extension, mime) in exports.FORMATS.items():
            st.download_button(
                labels[fmt],
                functools.partial(
                    exports.export_view, fmt, workspace, chosen, reorganisation.attribution(chosen.vintage), selected
                ),
                file_name=f"{stem}.{extension}",
                mime=mime,
                key=f"download_{fmt}",
                on_click="ignore",
                width="stretch",
            )
