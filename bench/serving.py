"""What the browser benchmarks share: the app served on a free local port, and Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve(script: str = "app.py", env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start the app as ``make run`` does (``python -m sharedservices serve``), or ``streamlit run
    script`` for another script, and wait until it answers; the process and its URL (no slash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = (
        [sys.executable, "-m", "sharedservices", "serve"]
        if script == "app.py"
        else [sys.executable, "-m", "streamlit", "run", script]
    )
    server = subprocess.Popen(
        [*command, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, url
