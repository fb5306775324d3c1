"""The emptiest Streamlit page: what any Streamlit page costs to show on this machine (the floor)."""

import streamlit as st

st.write("ready")
