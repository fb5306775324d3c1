"""The arrangements the filters select, as a table to sort, search, open and download."""

from __future__ import annotations

import streamlit as st

from sharedservices import exports, filters, tables
from sharedservices.ui import shell

context = shell.context()
shown, chosen = context.shown, context.filters
st.title("Arrangements")
nothing = filters.no_match_sentence(chosen, shown)
if nothing:
    st.warning(nothing)
    shell.publish()
    st.stop()

table = tables.people_table(shown.arrangements)
st.markdown(
    f"**{filters.count_of(len(table), 'arrangement')}** match the filters "
    f"(of {len(context.workspace.arrangements):,}). Click a column's heading to sort; hover the table and use its "
    "search icon to find text in it; tick a row to open it on the map or its councils' profiles."
)
picked = st.dataframe(
    tables.for_screen(table),
    hide_index=True,
    column_order=[
        "Arrangement",
        "Status",
        "Last confirmed",
        "Started",
        "Ended",
        "Councils",
        "Services",
        "Savings (£ a year)",
        "Kind of figure",
        "By April 2028",
        "Source",
        "More sources",
        "Description",
    ],
    width="stretch",
    height=min(38 + 35 * len(table), 560),
    on_select="rerun",
    selection_mode="single-row",
    key="arrangements_table",
    column_config={
        "Arrangement": st.column_config.TextColumn(width="medium", help=tables.COLUMNS["Arrangement"]),
        "Councils": st.column_config.TextColumn(width="medium", help=tables.COLUMNS["Councils"]),
        "Services": st.column_config.TextColumn(help=tables.COLUMNS["Services"]),
        "Status": st.column_config.TextColumn(help=tables.COLUMNS["Status"]),
        "Last confirmed": st.column_config.TextColumn(help=tables.COLUMNS["Last confirmed"]),
        "Started": st.column_config.TextColumn(help=tables.COLUMNS["Started"]),
        "Ended": st.column_config.TextColumn(help=tables.COLUMNS["Ended"]),
        "Savings (£ a year)": st.column_config.NumberColumn(format="localized", help=tables.COLUMNS["Savings (£ a year)"]),
        "Kind of figure": st.column_config.TextColumn(help=tables.COLUMNS["Kind of figure"]),
        "Source": st.column_config.LinkColumn(help=tables.COLUMNS["Source"], display_text=r"https?://(?:www\.)?([^/]+)"),
        "More sources": st.column_config.ListColumn(help=tables.COLUMNS["More sources"]),
        "By April 2028": st.column_config.TextColumn(help=tables.COLUMNS["By April 2028"]),
        "Description": st.column_config.TextColumn(width="large", help=tables.COLUMNS["Description"]),
    },
)

rows = picked.selection.rows if picked and picked.selection else []
if rows:
    arrangement_id = table.index[rows[0]]
    row = shown.arrangements.set_index("arrangement_id").loc[arrangement_id]
    with st.container(border=True):
        st.subheader(str(row["name"]))
        st.write(str(row["description"]))
        st.page_link(
            shell.PAGE_FILES["map"],
            label="Show on the map",
            icon=":material/map:",
            query_params=shell.link_params(arrangement=arrangement_id),
        )
        st.markdown("**Profiles of its councils**")
        codes = [c for c in str(row["councils"]).split(";") if c]
        columns = st.columns(3)
        for number, code in enumerate(codes):
            columns[number % 3].page_link(
                shell.PAGE_FILES["council"],
                label=str(context.council_names.get(code, code)),
                query_params=shell.link_params(council=code),
            )
        st.markdown("**Sources**")
        for url in tables.web_links(row["source_urls"]):
            st.markdown(f"- [{shell.escape_markdown(url)}]({url.replace(')', '%29').replace(' ', '%20')})")

stem = exports.file_stem(chosen.vintage, *chosen.regions, *chosen.services, chosen.search)
about = {
    "Filters": ", ".join(f"{k}={v}" for k, v in shell.link_params().items()) or "none (every arrangement)",
    "Boundary year": chosen.vintage,
    "Rows": str(len(table)),
}
csv_column, xlsx_column, more = st.columns([2, 2, 1])
csv_column.download_button(
    f"Download these {len(table):,} rows (CSV)",
    lambda: exports.table_csv(table),  # built on click
    file_name=f"{stem}.csv",
    mime="text/csv",
    width="stretch",
    on_click="ignore",
)
xlsx_column.download_button(
    f"Download these {len(table):,} rows (Excel, with links and sources)",
    lambda: exports.table_xlsx(table, shown.pair_links, context.council_names, about),  # built on click
    file_name=f"{stem}.xlsx",
    width="stretch",
    on_click="ignore",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
with more:
    shell.download_menu()
st.caption(
    "Savings are as stated by the sources, mostly councils' own figures; the table covers the arrangements "
    "found in public sources so far, not every one that exists."
)
shell.publish()
