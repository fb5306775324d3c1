"""Front-end files the map needs, fetched from the npm registry at set-up and served by the app.

folium loads Leaflet from public CDNs by default, which leaves the map blank on a machine with no
internet. Instead ``python -m sharedservices.vendor`` downloads each pinned package's tarball from
the registry over HTTPS (no npm needed), checks it against the pinned integrity hash, and unpacks
the files the map uses into ``static/vendor/<package>/``, which Streamlit serves at
``/app/static/vendor/<package>/`` (``server.enableStaticServing``). Nothing here is committed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import requests

from sharedservices import settings
from sharedservices.errors import SharedServicesError

log = logging.getLogger(__name__)

#: Where package tarballs are downloaded from.
REGISTRY = "https://registry.npmjs.org"
#: URL path under which Streamlit serves ``static/``.
STATIC_URL = "/app/static"

#: name -> (version, npm integrity, files kept from the package, relative to ``package/``)
PACKAGES = {
    "leaflet": (
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        ("dist/leaflet.js", "dist/leaflet.css", "dist/images/"),
    ),
}


def asset_url(package: str, file: str) -> str:
    """The URL the app serves a vendored file at, e.g. ``/app/static/vendor/leaflet/leaflet.js``."""
    return f"{STATIC_URL}/vendor/{package}/{file}"


def installed(package: str) -> bool:
    """True when the package's pinned version is unpacked under ``static/vendor``."""
    version = PACKAGES[package][0]
    stamp = settings.VENDOR_DIR / package / ".version"
    return stamp.exists() and stamp.read_text().strip() == version


def tarball_url(package: str, version: str) -> str:
    """The registry's address of a package's tarball (what ``npm pack`` downloads)."""
    return f"{REGISTRY}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"


def install(package: str) -> Path:
    """Fetch, verify and unpack one pinned package; atomic (unpacked aside, then renamed)."""
    version, integrity, keep = PACKAGES[package]
    url = tarball_url(package, version)
    started = time.perf_counter()
    try:
        response = requests.get(url, timeout=60)
        response.raise_for_status()
    except requests.RequestException as error:
        raise SharedServicesError(f"Could not download {package}@{version} from {url}: {error}") from error
    algorithm, expected = integrity.split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode() != expected:
        raise SharedServicesError(f"{package}@{version}: the download does not match its pinned integrity hash.")
    log.info("downloaded %s (%d bytes) in %.1f s", url, len(response.content), time.perf_counter() - started)
    settings.VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.VENDOR_DIR) as work:
        staging = Path(work) / package
        with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
            for member in archive.getmembers():
                relative = member.name.removeprefix("package/")
                if not member.isfile() or not any(relative == k or relative.startswith(k) for k in keep if k):
                    continue
                target = staging / relative.removeprefix("dist/")
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None  # a regular file always has its contents
                with source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
        (staging / ".version").write_text(version)
        final = settings.VENDOR_DIR / package
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    return final


def main() -> int:
    """Install every pinned package that is missing or at another version."""
    for package in PACKAGES:
        if not installed(package):
            try:
                log.info("installed %s into %s", package, install(package))
            except SharedServicesError as error:
                print(f"vendor: {error}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="vendor: %(message)s")
    sys.exit(main())
