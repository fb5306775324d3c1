"""Front-end files the map needs, fetched from the npm registry at set-up and served by the app.

folium loads Leaflet from public CDNs by default, which leaves the map blank on a machine with no
internet. Instead ``python -m sharedservices.vendor`` downloads each pinned package with
``npm pack``, checks its integrity hash, and unpacks the files the map uses into
``static/vendor/<package>/``, which Streamlit serves at ``/app/static/vendor/<package>/``
(``server.enableStaticServing``). Nothing here is committed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sharedservices.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
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
    stamp = VENDOR_DIR / package / ".version"
    return stamp.exists() and stamp.read_text().strip() == version


def install(package: str) -> Path:
    """Fetch, verify and unpack one pinned package; atomic (unpacked aside, then renamed)."""
    version, integrity, keep = PACKAGES[package]
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=VENDOR_DIR) as work:
        work = Path(work)
        result = subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", str(work)],
            capture_output=True, text=True, cwd=work,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm could not fetch {package}@{version}: {result.stderr.strip()[-500:]}")
        tarball = next(work.glob("*.tgz"))
        algorithm, expected = integrity.split("-", 1)
        digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
        if digest != expected:
            raise RuntimeError(f"{package}@{version}: the download does not match its pinned integrity hash.")
        staging = work / package
        with tarfile.open(tarball) as archive:
            for member in archive.getmembers():
                relative = member.name.removeprefix("package/")
                if not member.isfile() or not any(relative == k or relative.startswith(k) for k in keep if k):
                    continue
                target = staging / relative.removeprefix("dist/")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
        (staging / ".version").write_text(version)
        final = VENDOR_DIR / package
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    return final


def main() -> int:
    """Install every pinned package that is missing or at another version."""
    for package in PACKAGES:
        if not installed(package):
            try:
                print(f"vendor: installed {package} into {install(package)}")
            except (RuntimeError, FileNotFoundError) as error:
                print(f"vendor: {error}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
