"""Client for the ONS Open Geography Portal's ArcGIS FeatureServer query endpoints.

A FeatureServer returns at most a few thousand features a request; this client asks page after
page (``resultOffset``) until the server says no more remain (``exceededTransferLimit`` false),
retries passing failures (connection errors and 5xx answers, by urllib3's ``Retry`` with
exponential backoff), and writes the whole layer as GeoJSON (WGS84) atomically: to a
temporary file first, renamed into place only when complete.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sharedservices.errors import OnsDownloadError

log = logging.getLogger(__name__)

USER_AGENT = "shared-services-map"


def fetch_layer(
    query_url: str,
    destination: str | Path,
    *,
    where: str = "1=1",
    page_size: int = 1000,
    retries: int = 3,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
    session: requests.Session | None = None,
    extra: dict[str, str] | None = None,
) -> Path:
    """Download every feature of a FeatureServer layer into a GeoJSON file.

    Parameters
    ----------
    query_url : str
        The layer's ``.../FeatureServer/0/query`` address.
    destination : str or Path
        Where to write the GeoJSON FeatureCollection (coordinates in EPSG:4326).
    where : str
        SQL filter for the features, e.g. ``"LAD23CD LIKE 'N09%'"``.
    page_size : int
        Features asked for per request.
    retries : int
        Further attempts for each page after a connection error or a 5xx answer.
    backoff_s : float
        Backoff factor in seconds: waits grow as ``backoff_s * 2 ** (retry - 1)``.
    session : requests.Session, optional
        Used as given (its own retry policy); by default one with the retries above.
    extra : dict, optional
        More query parameters, e.g. ``{"maxAllowableOffset": "0.001"}`` to have the server
        generalise the shapes (degrees, since the answer is in EPSG:4326).

    Returns
    -------
    Path
        ``destination``, written completely or not at all.
    """
    destination = Path(destination)
    http = session or retrying_session(retries, backoff_s)
    started = time.perf_counter()
    features: list[dict] = []
    offset = 0
    while True:
        params = {
            "where": where,
            "outFields": "*",
            "outSR": "4326",
            "f": "geojson",
            "resultOffset": str(offset),
            "resultRecordCount": str(page_size),
            **(extra or {}),
        }
        page = _get_page(http, query_url, params, timeout_s)
        batch = page.get("features") or []
        features.extend(batch)
        more = page.get("exceededTransferLimit", page.get("properties", {}).get("exceededTransferLimit", False))
        if not more or not batch:
            break
        offset += len(batch)
    if not features:
        raise OnsDownloadError(f"The ONS service at {query_url} returned no features for {where!r}.")
    collection = {"type": "FeatureCollection", "features": features}
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=destination.name, suffix=".part", dir=destination.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            json.dump(collection, sink, separators=(",", ":"))
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info(
        "downloaded %d features from %s (%d bytes) in %.1f s",
        len(features),
        query_url,
        destination.stat().st_size,
        time.perf_counter() - started,
    )
    return destination


def retrying_session(retries: int = 3, backoff_s: float = 1.0) -> requests.Session:
    """A session that retries GETs after connection errors and 5xx answers, with backoff."""
    policy = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_s,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=policy))
    session.mount("http://", HTTPAdapter(max_retries=policy))
    session.headers["User-Agent"] = USER_AGENT
    return session


def _get_page(http: requests.Session, url: str, params: dict, timeout_s: float) -> dict:
    try:
        response = http.get(url, params=params, timeout=timeout_s)
        response.raise_for_status()
        page = response.json()
    except (requests.RequestException, ValueError) as error:
        raise OnsDownloadError(f"Could not download boundaries from {url}: {error}") from None
    if "error" in page:
        message = page["error"].get("message", page["error"]) if isinstance(page["error"], dict) else page["error"]
        raise OnsDownloadError(f"The ONS service at {url} refused the request: {message}")
    return page
