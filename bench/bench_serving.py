"""Benchmark the app's server sending the browser Streamlit's script files, against the naive way,
in one run. Prints figures; asserts nothing.

A page opening in a new browser fetches ~150 of Streamlit's script files. Figures (medians of 3,
seconds): ``static_files_s``, 150 of them fetched over six keep-alive connections (as a browser
does) from the app served as ``make run`` serves it (uvicorn with httptools and uvloop);
``naive_static_files_s``, the same from the same app served without them (bench/naive_http hides
them, so uvicorn parses HTTP in pure Python with h11 on asyncio's loop).

Run: .venv/bin/python bench/bench_serving.py
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from serving import serve  # noqa: E402

CONNECTIONS = 6
FILES = 150


def script_files() -> list[str]:
    """The names of the first ``FILES`` of Streamlit's script files."""
    import streamlit

    folder = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return sorted(path.name for path in folder.glob("*.js"))[:FILES]


def fetch_seconds(url: str, names: list[str]) -> float:
    """Seconds to fetch every file over ``CONNECTIONS`` keep-alive connections at once."""
    address = urlparse(url)

    failures: list[BaseException] = []

    def fetch(share: list[str]) -> None:
        try:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            for name in share:
                connection.request("GET", f"/static/js/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{name}: HTTP {response.status}")
            connection.close()
        except Exception as error:  # reported below, in the main thread
            failures.append(error)

    workers = [threading.Thread(target=fetch, args=(names[i::CONNECTIONS],)) for i in range(CONNECTIONS)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(f"the server at {url} did not send its files: {failures[0]}")
    return time.perf_counter() - started


def figure(env: dict) -> float:
    server, url = serve("app.py", env)
    try:
        names = script_files()
        fetch_seconds(url, names)  # the first round meets a freshly started server
        return round(statistics.median(fetch_seconds(url, names) for _ in range(3)), 3)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    naive = {"PYTHONPATH": str(ROOT / "bench" / "naive_http")}
    print(json.dumps({"static_files_s": figure({}), "naive_static_files_s": figure(naive)}))


if __name__ == "__main__":
    main()
