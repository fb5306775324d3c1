"""Your data: bring an arrangements table and/or a boundary file, for this session only.

Thin: reading, checking and matching are the library's (``uploads``, ``arrangements``); this page
takes the files, shows what was read, lets the user resolve the names that did not match, and
puts the result in the session, where every page uses it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sharedservices import exports, uploads
from sharedservices.domain import PLANNED_VINTAGES
from sharedservices.errors import BoundaryFileError
from sharedservices.filters import count_of
from sharedservices.reorganisation import BASE_VINTAGE
from sharedservices.ui import keys, loaders, shell


def _choose(written: str, key: str) -> None:
    """A council picked for a name: it applies at once (the table is read again with it)."""
    chosen = st.session_state.pop(key, None)
    if chosen:
        st.session_state[keys.SESSION_DATA] = st.session_state[keys.SESSION_DATA].with_choice(written, chosen)


def _accept(written: str, code: str) -> None:
    """The suggested council accepted for a name."""
    st.session_state[keys.SESSION_DATA] = st.session_state[keys.SESSION_DATA].with_choice(written, code)


context = shell.context()
session = st.session_state
data = session.get(keys.SESSION_DATA) or uploads.SessionData()
limit_mb = st.get_option("server.maxUploadSize")
#: Names to resolve shown at once (each with a list of every council).
NAMES_AT_ONCE = 10

st.title("Your data")
st.write(
    "Bring your own list of partnerships, or boundaries of another year, and see them on every page: the "
    "map, the table, council profiles and insights. What you upload stays in this browser tab: it never "
    "changes the shipped data, no one else sees it, and it is gone when you close the tab."
)
st.caption(
    f"Files up to {limit_mb} MB. Tables: CSV (any usual encoding; comma, semicolon or tab) or Excel .xlsx, one "
    "row per arrangement (councils separated by ';') or one row per arrangement and council. Boundaries: a zipped "
    "shapefile, GeoPackage, GeoJSON or TopoJSON with a column of ONS GSS codes; a very detailed file is simplified "
    "to draw quickly."
)

template_csv, template_xlsx, _ = st.columns([1, 1, 2])
template_csv.download_button(
    "Template (CSV)", uploads.template_csv(), "arrangements-template.csv", "text/csv", icon=":material/download:"
)
template_xlsx.download_button(
    "Template (Excel)",
    uploads.template_xlsx(),
    "arrangements-template.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
with st.expander("What each column holds"):
    st.dataframe(
        pd.DataFrame({"column": list(uploads.COLUMN_HELP), "what it holds": list(uploads.COLUMN_HELP.values())}),
        hide_index=True,
        width="stretch",
    )

table_upload, boundary_upload = st.columns(2)
table_file = table_upload.file_uploader("Arrangements table", type=list(uploads.TABLE_TYPES), key="upload_table")
boundary_file = boundary_upload.file_uploader("Boundary file", type=list(uploads.BOUNDARY_TYPES), key="upload_boundaries")

# ---- a new file: read it, keep it in the session only when something in it can be used ----
if boundary_file is not None and uploads.digest(boundary_file.getvalue()) != uploads.digest(data.boundaries):
    candidate = uploads.SessionData(data.table_name, data.table, boundary_file.name, boundary_file.getvalue(), data.choices)
    progress = st.status("Reading your boundary file…", expanded=True)
    progress.write("Cleaning the shapes, fitting them together and simplifying them for the web.")
    try:
        built = loaders.uploaded_boundaries(candidate)
    except BoundaryFileError as error:
        progress.update(label="Your boundary file could not be read: see why below.", state="error", expanded=False)
        st.error(str(error))
    else:
        progress.update(label=f"Read {built.info['councils']} councils from your boundary file.", state="complete")
        data = candidate
        session[keys.SESSION_DATA] = data
        session[keys.NEXT_VINTAGE] = uploads.UPLOAD_VINTAGE
        st.rerun()

if table_file is not None and uploads.digest(table_file.getvalue()) != uploads.digest(data.table):
    candidate = uploads.SessionData(table_file.name, table_file.getvalue(), data.boundaries_name, data.boundaries)
    vintage = BASE_VINTAGE if context.filters.vintage in PLANNED_VINTAGES else context.filters.vintage
    report = loaders.session_report(vintage, candidate)
    if report.rows_read == 0 and report.errors:
        st.error(" ".join(p.message for p in report.errors))
    else:
        data = candidate
        session[keys.SESSION_DATA] = data
        st.rerun()

# ---- what was read, and the names to resolve ----
if data.table:
    vintage = BASE_VINTAGE if context.filters.vintage in PLANNED_VINTAGES else context.filters.vintage
    report = loaders.session_report(vintage, data)
    summary = report.to_dict()
    st.subheader(f"“{shell.escape_markdown(data.table_name)}”")
    st.write(
        f"{count_of(summary['rows_read'], 'row')} read; **{count_of(summary['arrangements_loaded'], 'arrangement')} "
        f"loaded** on the "
        f"{vintage} boundaries; {summary['errors']} errors (those rows are left out), {summary['warnings']} warnings, "
        f"{summary['notes']} notes."
    )
    if report.problems:
        st.dataframe(
            pd.DataFrame(
                [
                    {"row": p.row, "column": p.column or "", "kind": p.severity, "what": p.message.split(": ", 1)[-1]}
                    for p in report.problems
                ]
            ),
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(report.problems), 300),
            column_config={
                "row": st.column_config.NumberColumn("row", format="%d", width="small"),
                "column": st.column_config.TextColumn("column", width="small"),
                "kind": st.column_config.TextColumn("kind", width="small"),
                "what": st.column_config.TextColumn("what", width="large"),
            },
        )
    unresolved = uploads.unresolved_names(report)
    councils = context.workspace.boundaries.councils.sort_values("name")
    every_council = dict(zip(councils["code"], councils["name"] + " (" + councils["type"] + ")"))
    if unresolved:
        st.markdown(
            f"**{count_of(len(unresolved), 'council name')} {'needs' if len(unresolved) == 1 else 'need'} you**: "
            "pick the council each one means, and it applies at once."
        )
        for item in unresolved[:NAMES_AT_ONCE]:
            suggested = [s.code for s in item.suggestions if s.code in every_council]
            options = suggested + [code for code in every_council if code not in suggested]
            rows = ", ".join(str(r) for r in item.rows[:6]) + ("…" if len(item.rows) > 6 else "")
            left, right, accept = st.columns([3, 2, 1], vertical_alignment="bottom")
            left.markdown(
                f"“{shell.escape_markdown(item.written)}” (row {rows}): "
                + ("could be several councils." if item.ambiguous else "no council has this name.")
            )
            right.selectbox(
                "The council it means",
                options,
                index=None,
                format_func=lambda code: every_council.get(code, code),
                placeholder=f"Suggested: {every_council[suggested[0]]}" if suggested else "Pick a council",
                key=f"resolve_{uploads.digest(item.written.encode())}",
                on_change=_choose,
                args=(item.written, f"resolve_{uploads.digest(item.written.encode())}"),
                label_visibility="collapsed",
            )
            if suggested:
                accept.button(
                    "Accept",
                    key=f"accept_{uploads.digest(item.written.encode())}",
                    on_click=_accept,
                    args=(item.written, suggested[0]),
                    help=f"It means {every_council[suggested[0]]}",
                )
        if len(unresolved) > NAMES_AT_ONCE:
            st.caption(
                f"{len(unresolved) - NAMES_AT_ONCE} more after these, as each is resolved; for many, correct the file "
                "(the problems above say where) and upload it again."
            )
    if data.choices:
        with st.expander(f"Your choices ({len(data.choices)})"):
            for written, code in data.choices:
                left, right = st.columns([4, 1], vertical_alignment="center")
                left.write(f"“{shell.escape_markdown(written)}” → {shell.escape_markdown(every_council.get(code, code))}")
                if right.button("Undo", key=f"undo_{uploads.digest(written.encode())}"):
                    session[keys.SESSION_DATA] = data.with_choice(written, None)
                    st.rerun()
    corrected = uploads.corrected_table(report, context.workspace.boundaries.councils.set_index("code")["name"])
    stem = exports.file_stem(vintage, "corrected", data.table_name.rsplit(".", 1)[0])
    fixed_csv, fixed_xlsx, _ = st.columns([1, 1, 2])
    fixed_csv.download_button(
        "Corrected table (CSV)", exports.table_csv(corrected), f"{stem}.csv", "text/csv", icon=":material/download:"
    )
    fixed_xlsx.download_button(
        "Corrected table (Excel)",
        uploads.table_xlsx(corrected),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    st.caption("The arrangements that loaded, with every council under its official name: it reads back without a problem.")

if data.boundaries:
    built = loaders.uploaded_boundaries(data)
    st.subheader(f"“{shell.escape_markdown(data.boundaries_name)}”")
    st.write(
        f"{built.info['councils']} councils and {built.info['counties']} counties, offered as the boundary year "
        f"“{uploads.UPLOAD_VINTAGE}” in the sidebar."
    )
    for note in built.info.get("notes", []):
        st.caption(shell.escape_markdown(note))

if not data.empty:
    st.page_link(shell.PAGE_FILES["map"], label="See it on the map", icon=":material/map:", query_params=shell.link_params())

shell.publish()
