"""The ONS FeatureServer client against a real local HTTP server that pages like ArcGIS."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import pytest

from sharedservices.errors import OnsDownloadError
from sharedservices.ons import fetch_layer
from sharedservices.vintages import build_vintage
from tests.conftest import LAD_2023


class FeatureServer:
    """Serves the real 2023 councils as ArcGIS FeatureServer GeoJSON pages of at most 50."""

    def __init__(self, features, *, fail_first: int = 0, always_fail_from: int | None = None, error: str = ""):
        self.features = features
        self.error = error
        self.fail_first = fail_first
        self.always_fail_from = always_fail_from
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                server.requests.append(query)
                offset = int(query.get("resultOffset", 0))
                if len(server.requests) <= server.fail_first or (
                    server.always_fail_from is not None and offset >= server.always_fail_from
                ):
                    self.send_response(503)
                    self.end_headers()
                    return
                if server.error:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(json.dumps({"error": {"code": 400, "message": server.error}}).encode())
                    return
                count = min(int(query.get("resultRecordCount", 1000)), 50)
                page = server.features[offset : offset + count]
                body = {"type": "FeatureCollection", "features": page}
                if offset + count < len(server.features):
                    body["properties"] = {"exceededTransferLimit": True}
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/geo+json")
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/arcgis/rest/services/LAD/FeatureServer/0/query"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def features():
    councils = gpd.read_file(LAD_2023).to_crs(4326)
    return json.loads(councils.to_json(drop_id=True))["features"]


def test_pages_until_the_server_says_no_more_and_builds_the_vintage(tmp_path, features, empty_cache):
    target = tmp_path / "lad.geojson"
    with FeatureServer(features, fail_first=1) as server:
        fetch_layer(server.url, target, page_size=1000, backoff_s=0.01)
    offsets = [int(r["resultOffset"]) for r in server.requests[1:]]
    assert offsets == list(range(0, 361, 50))
    assert server.requests[1]["outSR"] == "4326" and server.requests[1]["f"] == "geojson"
    downloaded = json.loads(target.read_text())
    assert len(downloaded["features"]) == 361
    built = build_vintage("2023", [target])
    assert built.info["councils"] == 361 and built.info["counties"] == 21


def test_a_failed_download_leaves_nothing_half_written(tmp_path, features):
    target = tmp_path / "lad.geojson"
    with FeatureServer(features, always_fail_from=100) as server, pytest.raises(OnsDownloadError, match="503"):
        fetch_layer(server.url, target, retries=2, backoff_s=0.01)
    assert list(tmp_path.iterdir()) == []
    assert sum(1 for r in server.requests if r["resultOffset"] == "100") == 3


def test_an_empty_layer_or_an_arcgis_error_answer_is_reported(tmp_path):
    with FeatureServer([]) as server, pytest.raises(OnsDownloadError, match="no features"):
        fetch_layer(server.url, tmp_path / "none.geojson", backoff_s=0.01)
    with (
        FeatureServer([], error="Invalid or missing input parameters.") as server,
        pytest.raises(OnsDownloadError, match="refused the request: Invalid or missing"),
    ):
        fetch_layer(server.url, tmp_path / "none.geojson", backoff_s=0.01)
    assert list(tmp_path.iterdir()) == []


def test_command_line_builds_a_vintage_from_the_ons_service(tmp_path, features):
    """`geodata build --source ons` end to end: the sources file names a (local) FeatureServer."""
    import os
    import subprocess
    import sys

    from sharedservices import settings

    with FeatureServer(features) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[vintages."2023"]\nlabel = "2023 test"\nattribution = "test"\n'
            f'[[vintages."2023".layers]]\nfile = "LAD_MAY_2023_UK_BUC.zip"\nons_query = "{server.url}"\nons_where = "1=1"\n'
        )
        env = {**os.environ, "SHAREDSERVICES_SOURCES": str(sources), "SHAREDSERVICES_CACHE_DIR": str(tmp_path / "cache")}
        result = subprocess.run(
            [sys.executable, "-m", "sharedservices", "geodata", "build", "--vintage", "2023", "--source", "ons"],
            capture_output=True,
            text=True,
            cwd=settings.PROJECT_ROOT,
            env=env,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    assert "2023: 361 councils, 21 counties" in result.stdout
    assert len(list((tmp_path / "cache" / "downloads").glob("*.geojson"))) == 1
    assert len(server.requests) == 8  # 361 features in pages of 50
