"""The Shared Services Map: one app over the page scripts in ``app_pages/``.

This entry point owns what every page shares: the page's settings, the session's view from the
URL, and the sidebar's filters (drawn once here, so a filter chosen on one page holds on every
page and in the URL). Run with ``make run``.
"""

from __future__ import annotations

import streamlit as st

from sharedservices.ui import shell

st.set_page_config(page_title="Shared Services Map", page_icon="🗺️", layout="wide")
st.markdown(
    "<style>.block-container{padding-top:1.2rem;padding-bottom:1rem}h1{font-size:2rem!important;"
    "padding:0 0 0.25rem 0!important}</style>",
    unsafe_allow_html=True,
)

PAGES = {
    name: st.Page(shell.PAGE_FILES[name], title=label, icon=icon, url_path=name, default=name == "map")
    for name, (label, icon) in shell.MENU.items()
}
# The menu is drawn by the shell, its links carrying the filters; Streamlit's own menu is hidden.
page = st.navigation(list(PAGES.values()), position="hidden")
# What the shared start shows in the page meanwhile (a spinner while a boundary year first loads)
# stays in one container, so the page's own elements keep their places on every run and the
# browser keeps the map it has drawn.
with st.container():
    shell.start(next(name for name, item in PAGES.items() if item.title == page.title))
page.run()
