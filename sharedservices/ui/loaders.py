"""Cached loaders: boundaries once per process, a session's arrangements once per upload.

The shipped data is shared by every session (``shipped_workspace``). A session's uploads
(``uploads.SessionData``) are cached by their contents' hashes, so a rerun does not read them
again; nothing of them is shared with another session unless it uploads the very same bytes.
"""

from __future__ import annotations

import streamlit as st

from sharedservices import filters, insights, uploads
from sharedservices.domain import PLANNED_VINTAGES, year_bounds
from sharedservices.links import council_index
from sharedservices.mapview import LinkTables, write_base_layer, write_details, write_link_tables
from sharedservices.reorganisation import load_boundaries
from sharedservices.viewstate import Filters, Vocabulary
from sharedservices.vintages import Vintage, available_vintages
from sharedservices.workspace import Workspace, join, name_register


@st.cache_resource(show_spinner="Loading council boundaries…")
def boundaries(vintage: str) -> Vintage:
    """A vintage's layers, shared by every session of this process."""
    return load_boundaries(vintage)


@st.cache_resource(show_spinner=False)
def _index(vintage: str):
    return council_index(boundaries(vintage).councils)


def _register():
    return _register_of(available_vintages())


@st.cache_resource(show_spinner=False)
def _register_of(vintages: tuple[str, ...]):
    return name_register({v: boundaries(v) for v in vintages})


@st.cache_resource(show_spinner=False)
def base_layer_url(vintage: str) -> str:
    """Where the browser fetches a vintage's base map (councils, outlines, names); written once per process."""
    return write_base_layer(boundaries(vintage))


@st.cache_resource(show_spinner=False)
def details_url(vintage: str) -> str:
    """Where the browser fetches the shipped arrangements' popups on a vintage; written once per process."""
    return write_details(shipped_workspace(vintage).arrangements)


@st.cache_resource(show_spinner=False)
def _shipped_link_tables(vintage: str) -> LinkTables:
    return write_link_tables(shipped_workspace(vintage))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def _written_link_tables(vintage: str, key: tuple, _workspace: Workspace) -> LinkTables:
    return write_link_tables(_workspace)


def link_tables(vintage: str, data: uploads.SessionData | None) -> LinkTables:
    """Where the browser fetches every link the map can draw on a vintage (the shipped table's,
    or files named by a hash of the session's own data); written once per process and table."""
    if data is None or data.empty:
        return _shipped_link_tables(vintage)
    return _written_link_tables(vintage, data.key, workspace_for(vintage, data))


def offered_vintages() -> tuple[str, ...]:
    """The boundary years the app offers: those that can be loaded, then the planned ones."""
    return available_vintages() + tuple(PLANNED_VINTAGES)


@st.cache_resource(show_spinner="Joining arrangements to councils…")
def shipped_workspace(vintage: str) -> Workspace:
    """The shipped arrangements on a vintage's councils (shared, read-only), each with what the
    decided reorganisation does to it (column ``reorganisation``)."""
    from sharedservices import reorganisation, settings
    from sharedservices.arrangements import read_arrangements

    if vintage in PLANNED_VINTAGES:
        workspace = reorganisation.planned_workspace(vintage, base_workspace=shipped_workspace(reorganisation.BASE_VINTAGE))
    else:
        report = read_arrangements(settings.ARRANGEMENTS_CSV, _register(), vintage)
        workspace = join(vintage, boundaries(vintage), report, _index(vintage))
    outcomes = _outcomes()
    workspace.arrangements["reorganisation"] = workspace.arrangements["arrangement_id"].map(outcomes).fillna("unaffected")
    return workspace


@st.cache_resource(show_spinner=False)
def _outcomes():
    from sharedservices import reorganisation, settings
    from sharedservices.arrangements import read_arrangements

    base = reorganisation.BASE_VINTAGE
    report = read_arrangements(settings.ARRANGEMENTS_CSV, _register(), base)
    return reorganisation.outcomes_by_arrangement(report.long, max(PLANNED_VINTAGES))


@st.cache_resource(show_spinner=False)
def finder(vintage: str) -> dict[str, str]:
    """The finder's choices for a vintage: its councils and the shipped arrangements."""
    from sharedservices.filters import finder_options

    return finder_options(shipped_workspace(vintage))


@st.cache_resource(show_spinner=False)
def vocabulary(vintage: str) -> Vocabulary:
    """The values a shared link may name for this vintage."""
    return _vocabulary_of(shipped_workspace(vintage), offered_vintages())


def _vocabulary_of(workspace: Workspace, vintages: tuple[str, ...]) -> Vocabulary:
    from sharedservices.arrangements import load_categories

    councils = workspace.boundaries.councils
    return Vocabulary(
        regions=set(councils["region_name"].dropna()),
        counties=set(workspace.boundaries.counties["code"]),
        types=set(councils["type"].dropna()),
        services=set(load_categories()["category_id"]),
        councils=set(councils["code"]),
        arrangements=set(workspace.arrangements["arrangement_id"]),
        vintages=set(vintages),
        years=year_bounds([workspace.arrangements["start_year"], workspace.arrangements["end_year"]]),
    )


# ---- a session's own data ------------------------------------------------------------------------


@st.cache_resource(show_spinner="Reading your boundary file…", max_entries=8, ttl=3600)
def _uploaded_boundaries(key: str, _data: bytes, name: str) -> Vintage:
    return uploads.read_boundaries(_data, name)


def uploaded_boundaries(data: uploads.SessionData) -> Vintage:
    """The session's boundary file built as a vintage (``uploads.UPLOAD_VINTAGE``)."""
    return _uploaded_boundaries(uploads.digest(data.boundaries), data.boundaries, data.boundaries_name)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def _session_register(key: tuple, _data: uploads.SessionData):
    councils = {v: boundaries(v).councils[["code", "name"]] for v in available_vintages()}
    if _data.boundaries:
        councils[uploads.UPLOAD_VINTAGE] = uploaded_boundaries(_data).councils[["code", "name"]]
    return uploads.register_with_choices(councils, dict(_data.choices))


@st.cache_resource(show_spinner="Reading your data…", max_entries=16, ttl=3600)
def _session_report(vintage: str, key: tuple, _data: uploads.SessionData):
    from sharedservices import settings
    from sharedservices.arrangements import read_arrangements

    source = _data.table or settings.ARRANGEMENTS_CSV
    return read_arrangements(source, _session_register(key, _data), vintage)


def session_report(vintage: str, data: uploads.SessionData):
    """The session's table read on a vintage: what loaded and every problem, by row."""
    return _session_report(vintage, data.key, data)


@st.cache_resource(show_spinner="Drawing your data…", max_entries=16, ttl=3600)
def _session_workspace(vintage: str, key: tuple, _data: uploads.SessionData) -> Workspace:
    from sharedservices import reorganisation

    if vintage in PLANNED_VINTAGES:
        base = _session_workspace(reorganisation.BASE_VINTAGE, key, _data)
        workspace = reorganisation.planned_workspace(vintage, base_workspace=base)
    else:
        here = uploaded_boundaries(_data) if vintage == uploads.UPLOAD_VINTAGE else boundaries(vintage)
        workspace = join(vintage, here, _session_report(vintage, key, _data))
    base_report = _session_report(reorganisation.BASE_VINTAGE, key, _data)
    outcomes = reorganisation.outcomes_by_arrangement(base_report.long, max(PLANNED_VINTAGES))
    workspace.arrangements["reorganisation"] = workspace.arrangements["arrangement_id"].map(outcomes).fillna("unaffected")
    return workspace


def workspace_for(vintage: str, data: uploads.SessionData | None) -> Workspace:
    """The shipped workspace, or the session's own when it has uploaded anything."""
    return shipped_workspace(vintage) if data is None or data.empty else _session_workspace(vintage, data.key, data)


def vintages_for(data: uploads.SessionData | None) -> tuple[str, ...]:
    """The boundary years a session is offered: the app's, and its own file's when it uploaded one."""
    own = (uploads.UPLOAD_VINTAGE,) if data is not None and data.boundaries else ()
    return offered_vintages() + own


def vocabulary_for(vintage: str, data: uploads.SessionData | None) -> Vocabulary:
    """The values a link may name on this vintage, for the shipped data or the session's own."""
    if data is None or data.empty:
        return vocabulary(vintage)
    return _vocabulary_of(workspace_for(vintage, data), vintages_for(data))


def finder_for(vintage: str, data: uploads.SessionData | None) -> dict[str, str]:
    """The finder's choices for the shipped data or the session's own."""
    from sharedservices.filters import finder_options

    return finder(vintage) if data is None or data.empty else finder_options(workspace_for(vintage, data))


def layer_urls(vintage: str, data: uploads.SessionData | None) -> tuple[str, str]:
    """Where the browser fetches the base map and the popups: the shipped files, or files named
    by a hash of the session's own data (unguessable without that data)."""
    if data is None or data.empty:
        return base_layer_url(vintage), details_url(vintage)
    here = uploaded_boundaries(data) if vintage == uploads.UPLOAD_VINTAGE else boundaries(vintage)
    base = base_layer_url(vintage) if vintage != uploads.UPLOAD_VINTAGE else _written_base(uploads.digest(data.boundaries), here)
    return base, _written_details(vintage, data.key, workspace_for(vintage, data))


@st.cache_resource(show_spinner=False, max_entries=8, ttl=3600)
def _written_base(key: str, _boundaries: Vintage) -> str:
    return write_base_layer(_boundaries)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def _written_details(vintage: str, key: tuple, _workspace: Workspace) -> str:
    return write_details(_workspace.arrangements)


@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _shown(chosen: Filters, data_key: tuple | None, _workspace: Workspace) -> filters.Shown:
    return filters.apply(_workspace, chosen)


def shown_for(chosen: Filters, data: uploads.SessionData | None, workspace: Workspace) -> filters.Shown:
    """What these filters show of this session's workspace, made once per set of filters and
    data and shared by every session that asks for the same (nobody changes it)."""
    return _shown(chosen, None if data is None or data.empty else data.key, workspace)


@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _insights(filters_key: str, data_key: tuple | None, _shown, _names) -> insights.Insights:
    return insights.page_figures(_shown, _names)


def insights_for(chosen: Filters, data: uploads.SessionData | None, shown, names) -> insights.Insights:
    """The insights page's charts for these filters, made once per set of filters and data (the
    charts, their specs and the network analysis are the page's costly part)."""
    return _insights(repr(chosen), None if data is None or data.empty else data.key, shown, names)


def warm() -> None:
    """Build what the first visit to the map needs and every session shares (the default year's
    boundaries, the shipped table joined to them, the map's static files, the finder and the
    vocabulary), and import the charts' library, so the first visitor does not wait for them.
    Run by ``python -m sharedservices serve`` in a thread as the server starts; a session that
    arrives meanwhile waits for the same cached objects rather than building them twice."""
    import logging

    import altair  # noqa: F401  the insights and profile pages' charts

    # Not streamlit_folium: a component declared before the server has started is not served.

    # Outside a session Streamlit warns that there is no script run; here that is expected.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    vintage = Filters().vintage
    vocabulary(vintage)
    finder(vintage)
    base_layer_url(vintage)
    details_url(vintage)
    link_tables(vintage, None)
