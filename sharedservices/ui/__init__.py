"""Streamlit glue shared by the pages: cached loaders and the sidebar's filters."""
