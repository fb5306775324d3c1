"""A council's profile: its partners, its arrangements over time, the services it shares, stated
savings, its place in the reorganisations, and what councils like it share that it does not."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from sharedservices import filters, mapview, profiles, tables
from sharedservices.arrangements import load_categories
from sharedservices.matching import load_changes
from sharedservices.ui import keys, loaders, shell

#: Partners listed one by one with their links; more than this and the rest go in one list.
LISTED_PARTNERS = 12

context = shell.context()
workspace, shown, vintage = context.workspace, context.shown, context.filters.vintage
councils = workspace.boundaries.councils.set_index("code")
names = context.council_names
asked = str(st.query_params.get("council", "") or st.session_state.get(keys.SELECTED, "")).strip()


def profile_link(code: str, label: str | None = None, where=st) -> None:
    """A link to another council's profile that keeps the filters."""
    where.page_link(
        shell.PAGE_FILES["council"], label=label or str(names.get(code, code)), query_params=shell.link_params(council=code)
    )


if asked and asked not in councils.index:
    st.title("Council profile")
    shown_code = shell.escape_markdown(asked[:20] + ("…" if len(asked) > 20 else ""))
    elsewhere = filters.counterparts(asked, set(councils.index), load_changes())
    if elsewhere:
        st.info(
            f"The council with code “{shown_code}” is not on the {vintage} boundaries: it was replaced by, "
            "or became part of, the council(s) below."
        )
        for code in elsewhere:
            profile_link(code)
    else:
        st.warning(
            f"No council has the code “{shown_code}” on the {vintage} boundaries. Pick one below, or click a council on the map."
        )
    asked = ""
if not asked:
    if "council" not in st.query_params:
        st.title("Council profile")
    labels = {code: f"{names[code]} ({kind})" for code, kind in councils.sort_values("name")["type"].items()}
    choice = st.selectbox(
        "Council",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder="Type a council's name",
    )
    if choice:
        st.session_state[keys.SELECTED] = choice
        st.query_params["council"] = choice
        st.rerun()
    shell.publish()
    st.stop()

code = asked
st.session_state[keys.SELECTED] = code  # the map keeps it selected
council = councils.loc[code]
st.title(str(council["name"]))
county = council["upper_tier_code"]
place = [str(council["type"]), str(council["region_name"])]
if county != code and county in councils.index:
    place.insert(1, f"in {councils.loc[county, 'name']}")
st.caption(" · ".join(place) + f" · {code} · {vintage} boundaries")

mine = filters.arrangements_of(shown, code)
partners = shown.remember(("partners_table", code), lambda: profiles.partners_table(workspace, shown, code))
in_all = workspace.long.loc[workspace.long["code"] == code, "arrangement_id"].nunique()
outside_county, outside_region = profiles.outside_shares(partners)
first, second, third, fourth = st.columns(4)
first.metric("Arrangements", f"{len(mine)}", help=f"{in_all} in the whole table; the filters show {len(mine)}.")
second.metric("Partner councils", f"{len(partners)}")
third.metric("Partners outside its county", f"{outside_county:.0%}" if len(partners) else "–")
fourth.metric("Partners outside its region", f"{outside_region:.0%}" if len(partners) else "–")
if len(mine) < in_all:
    st.caption(f"The filters hide {in_all - len(mine)} of its {in_all} arrangements; reset them to see all.")
nav_map, _ = st.columns([1, 3])
nav_map.page_link(
    shell.PAGE_FILES["map"], label="Show on the map", icon=":material/map:", query_params=shell.link_params(council=code)
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Its partners")
    if partners.empty:
        st.write("No arrangement with other councils is recorded for it under these filters.")
    else:
        # A map of its own height among the page's other content, fitted to the council and its
        # partners in whatever width the browser gives it; only its own arrangements are drawn.
        small_map = mapview.base_map(*loaders.layer_urls(vintage, shell.session_data()), follow_window=False)
        mapview.fit_on_open(small_map, workspace.boundaries, [code, *partners["code"]])
        layers_to_add, _ = mapview.partnership_layers(workspace.boundaries, filters.of_council(shown, code), names, code)
        st_folium(
            small_map,
            key=f"profile-map-{vintage}",
            feature_group_to_add=layers_to_add,
            height=420,
            width="stretch",
            returned_objects=[],
            render=False,
        )
        described = profiles.partner_lines(partners)
        for (_, partner), line in zip(partners.head(LISTED_PARTNERS).iterrows(), described, strict=False):
            row_link, row_text = st.columns([2, 3])
            profile_link(partner["code"], where=row_link)
            row_text.caption(line)
        if len(partners) > LISTED_PARTNERS:  # the rest in one element, not three each
            with st.expander(f"{len(partners) - LISTED_PARTNERS} more partners (each opens in a new tab)"):
                st.markdown(
                    "\n".join(
                        f"- [{shell.escape_markdown(str(partner['name']))}](council?{urlencode(shell.link_params(council=partner['code']))})"
                        f" · {shell.escape_markdown(line)}"
                        for (_, partner), line in zip(
                            partners.iloc[LISTED_PARTNERS:].iterrows(), described[LISTED_PARTNERS:], strict=True
                        )
                    )
                )
with right:
    st.subheader("Services it shares, and with whom")
    by_service = profiles.services_by_partner(partners)
    if by_service.empty:
        st.write("None under these filters.")
    for _, item in by_service.iterrows():
        st.markdown(f"**{shell.escape_markdown(item['service'])}**: " + shell.escape_markdown(", ".join(item["partners"])))

st.subheader("Its arrangements over time")
spans = profiles.timeline(shown, code)
if spans.empty:
    st.write("None of its arrangements states a start year.")
else:
    st.altair_chart(profiles.timeline_chart(spans), width="stretch")
    undated = len(mine) - len(spans)
    st.caption(
        "Bars run from the start year to the end year, or to this year when no end is stated."
        + (f" {filters.count_of(undated, 'arrangement')} with no stated start year not drawn." if undated else "")
    )

st.subheader("Its arrangements, with sources")
if mine.empty:
    st.caption("None that the filters show.")
else:
    st.html(mapview.arrangement_cards(mine))
saving = mine[mine["savings_gbp_per_year"].notna()]
if not saving.empty:
    st.subheader("Stated savings")
    st.dataframe(
        tables.people_table(saving)[["Arrangement", "Savings (£ a year)", "Kind of figure", "Source"]],
        hide_index=True,
        width="stretch",
        column_config={
            "Savings (£ a year)": st.column_config.NumberColumn(format="localized"),
            "Source": st.column_config.LinkColumn(display_text=r"https?://(?:www\.)?([^/]+)"),
        },
    )
    st.caption("As the sources state them, mostly the councils' own figures.")

st.subheader("Before and after: boundary changes and reorganisation")
lineage = profiles.lineage(code)
planned = profiles.reorganisation_of(code)
decided = profiles.reorganisation_sentence(code, mine)
if decided:
    st.info(decided)
if not (lineage["predecessors"] or lineage["successors"] or len(planned)):
    st.write("No change recorded.")
for other, name, when in lineage["predecessors"]:
    st.markdown(f"- Formed from **{shell.escape_markdown(name)}** ({other}) on {when}")
for other, name, when in lineage["successors"]:
    st.markdown(f"- Became part of **{shell.escape_markdown(name)}** ({other}) on {when}")
for _, change in planned.iterrows():
    when = f" from {change['vesting_date']}" if change["vesting_date"] else ""
    urls = tables.web_links(change["sources"])
    source = f" ([source]({urls[0]}), {change['source_date']})" if urls else ""
    st.markdown(
        f"- {shell.escape_markdown(change['status'].capitalize())}: part of "
        f"**{shell.escape_markdown(change['successor_name'])}**{when}{source}"
    )

st.subheader("Councils like this one share…")
labels = load_categories().set_index("category_id")["label"].to_dict()
for title, peers in (
    (f"Other {council['type'].lower()} councils", profiles.peers_of_type(workspace, code)),
    ("Its neighbours", workspace.index.neighbours_of(code)),
):
    leads = shown.remember(("shared_by_peers", code, title), lambda peers=peers: profiles.shared_by_peers(shown, code, peers))
    st.markdown(f"**{title}** ({len(peers)})")
    if leads.empty:
        st.caption("Nothing they share that it does not, in this table and under these filters.")
        continue
    for _, lead in leads.iterrows():
        examples = ", ".join(str(names.get(c, c)) for c in lead["examples"])
        st.markdown(
            f"- **{shell.escape_markdown(labels.get(lead['service'], lead['service']))}**: "
            f"{lead['peers_sharing']} of them ({lead['share']:.0%}), e.g. {shell.escape_markdown(examples)}"
        )
st.caption("Leads, not advice: what the table records other councils sharing, for a council looking for partners.")
shell.publish(council=code)
