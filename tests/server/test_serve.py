"""``soviets serve`` as a user runs it: migrates a fresh database and serves on loopback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.live import free_port


def test_serve_starts_on_a_fresh_database(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "soviets", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=30)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "soviets serve did not answer within 180 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Sign in" in response.text
        document = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=120).json()
        assert "/api/tokens" in document["paths"]
        refused = httpx.get(f"http://127.0.0.1:{port}/api/councils", timeout=120)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=120)[0]
    assert f"council service on http://127.0.0.1:{port}/" in output
