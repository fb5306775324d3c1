"""What the map shows and does not, how it is computed, its sources and licences, and how to add to it."""

from __future__ import annotations

import streamlit as st

from sharedservices.ui import shell

context = shell.context()
st.title("About the Shared Services Map")
st.markdown(f"""
**What it shows.** How UK councils share services with each other: shared chief executives and
management teams, joint revenues and benefits, shared legal, ICT, audit or building control teams,
procurement consortia, waste partnerships and more. Each arrangement is a row of a table compiled
from public sources (council reports and minutes, news articles); the map draws it as lines between
its councils. The table holds {len(context.workspace.arrangements):,} arrangements: the ones found so
far, not every one that exists. A council with no line may share services that are not yet recorded.

**What it does not show.** Savings are as the sources state them, mostly councils' own figures, and
of different kinds (a year's, cumulative, projected, a target); they are not audited. Statuses are
as of the newest source found: "last confirmed" gives its date, so an old confirmation stands out.

**How links are drawn.** An arrangement of up to four councils is drawn as a line between every pair;
a larger one as spokes from its lead council (or its centre). A line is **solid** when its councils
are in different top-tier areas (a county, or a unitary council, London borough or metropolitan
borough, each its own area) and **dashed** within one county. "Only links that cross" keeps the pairs
that cross a county, regional or national line; "not neighbours" keeps pairs whose areas do not
touch (within 50 m). Colour is the family of services; width grows with the number shared.

**Boundary years and council changes.** Councils merge and change codes. The map draws each year's
official boundaries (ONS); an arrangement recorded under councils of another year is drawn on their
predecessors or successors (`data/council_changes.csv`), and one whose members have since merged into
one council has no line on the later year and is listed under the map. The reorganisation of
2027-2028 is recorded in `data/reorganisation.csv`, with the status of each decision; a council's
profile says what it becomes.

**Sources and licences.** Boundaries: Office for National Statistics, Open Government Licence v3;
contains OS data © Crown copyright and database right. The 2013 boundaries' TopoJSON is by Martin
Chorley, CC BY 4.0. District to county and region lookups: ONS, OGL v3. Arrangements: each row cites
the public pages that state it (on the map, click a line; in the table, the Source column);
descriptions are in our own words.

**Add or correct an arrangement.** The table is `data/arrangements.csv`, one row per arrangement:
`arrangement_id`, `name`, `services` (ids from `data/service_categories.csv`, `;`-separated),
`description`, `councils` (names as people write them, `;`-separated), `lead_council`,
`start_year`, `end_year`, `status` (proposed, in discussion, operational, ended),
`savings_gbp_per_year`, `savings_note`, `savings_kind` (yearly, cumulative, projected, target),
`source_urls` (space-separated), `last_checked` (the day the row was checked) and `status_as_of`
(year or month of the newest source confirming the status). Check it with
`python -m sharedservices data validate`, which names every problem by row and column.
""")
shell.publish()
