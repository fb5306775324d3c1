"""Counts, savings and the network of the arrangements the filters select, as charts to download."""

from __future__ import annotations

import streamlit as st

from sharedservices import exports, filters, insights
from sharedservices.ui import loaders, shell

context = shell.context()
shown, chosen = context.shown, context.filters
st.title("Insights")
nothing = filters.no_match_sentence(chosen, shown)
if nothing:
    st.warning(nothing)
    shell.publish()
    st.stop()
st.write(
    f"From the {filters.count_of(len(shown.arrangements), 'arrangement')} the filters select. "
    "The table holds the arrangements found in public sources so far, not every one that exists."
)
stem = exports.file_stem(chosen.vintage, *chosen.regions, *chosen.services, chosen.search)
drawn = loaders.insights_for(chosen, shell.session_data(), shown, context.council_names)


def show(figure: insights.Figure) -> None:
    """A chart, the sentence that says what it shows and does not, and a menu of its downloads
    (each drawn on click). One menu rather than three buttons: the page has ~25 fewer elements
    for the browser to lay out when it opens."""
    st.subheader(figure.title)
    st.vega_lite_chart(figure.spec, width="stretch")
    st.caption(figure.caption)
    titled = figure.chart.properties(title=figure.title, width=640)
    with st.popover("Download", icon=":material/download:"):
        for label, number, mime in (("PNG", 0, "image/png"), ("SVG", 1, "image/svg+xml")):
            st.download_button(
                f"Chart ({label})",
                lambda number=number: insights.chart_images(titled)[number],
                file_name=f"{stem}-{figure.name}.{label.lower()}",
                mime=mime,
                key=f"{label.lower()}_{figure.name}",
                on_click="ignore",
                width="stretch",
            )
        st.download_button(
            "Data (CSV)",
            lambda: exports.table_csv(figure.data),
            file_name=f"{stem}-{figure.name}.csv",
            mime="text/csv",
            key=f"csv_{figure.name}",
            on_click="ignore",
            width="stretch",
        )


by_service, by_region, by_type, *over_time = drawn.figures
show(by_service)
left, right = st.columns(2)
with left:
    show(by_region)
with right:
    show(by_type)
for figure in over_time:
    show(figure)

st.header("The network")
if not drawn.network:
    st.write("No pair of councils under these filters.")
else:
    for figure in drawn.network:
        show(figure)
    st.subheader("Councils that work together")
    st.caption(
        "Groups found in the network (Louvain modularity): councils that share more arrangements with each "
        "other than with the rest. A grouping of the table, not an official partnership."
    )
    st.dataframe(
        drawn.groups,
        hide_index=True,
        width="stretch",
        column_config={
            "members": st.column_config.TextColumn("Councils in the group", width="large"),
            "councils": st.column_config.NumberColumn("Councils"),
            "group": st.column_config.NumberColumn("Group"),
        },
    )
shell.publish()
