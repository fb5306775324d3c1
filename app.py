"""The Shared Services Map: one app over the pages in ``pages/``.

This entry point owns what every page shares: the page's settings, the session's view from the
URL, and the sidebar's filters (drawn once here, so a filter chosen on one page holds on every
page and in the URL). Run with ``make run``.
"""

from __future__ import annotations

import streamlit as st

from sharedservices.ui import shell

st.set_page_config(page_title="Shared Services Map", page_icon="🗺️", layout="wide")
st.markdown("<style>.block-container{padding-top:3.6rem;padding-bottom:1rem}h1{font-size:2rem!important;"
            "padding:0 0 0.25rem 0!important}</style>", unsafe_allow_html=True)

PAGES = {
    "map": st.Page(shell.PAGE_FILES["map"], title="Map", icon=":material/map:", url_path="map", default=True),
    "arrangements": st.Page(shell.PAGE_FILES["arrangements"], title="Arrangements", icon=":material/table_view:", url_path="arrangements"),
    "council": st.Page(shell.PAGE_FILES["council"], title="Council profile", icon=":material/account_balance:", url_path="council"),
    "insights": st.Page(shell.PAGE_FILES["insights"], title="Insights", icon=":material/insights:", url_path="insights"),
    "about": st.Page(shell.PAGE_FILES["about"], title="About", icon=":material/info:", url_path="about"),
}
page = st.navigation(list(PAGES.values()), position="top")
shell.start(next(name for name, item in PAGES.items() if item.title == page.title))
page.run()
