"""Prepared views for presentations, kept as data in ``data/views.csv``.

Each row is a title, a caption and a URL query string (the same settings a shared link holds),
so more views can be added without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd

from sharedservices.settings import DATA_DIR
from sharedservices.viewstate import ViewState, Vocabulary, from_query

VIEWS_CSV = DATA_DIR / "views.csv"


@dataclass(frozen=True)
class PreparedView:
    """A view to step through in presentation mode."""

    view_id: str
    title: str
    caption: str
    query: str

    def apply(self, base: ViewState, vocabulary: Vocabulary) -> tuple[ViewState, list[str]]:
        """``base`` with this view's settings; the presentation settings are kept, and so is the
        boundary year unless the view names one (a view of the planned councils)."""
        params = {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=False).items()}
        view, notices = from_query(params, vocabulary)
        vintage = view.vintage if "vintage" in params else base.vintage
        return view.with_changes(vintage=vintage, present=base.present, slide=base.slide, tiles=base.tiles), notices


def load_views(path: str | Path = VIEWS_CSV) -> list[PreparedView]:
    """The prepared views, in the file's order."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [PreparedView(**row) for row in table.to_dict("records")]
