"""The first visit to a fresh install: the sign-in page at once, with the demo data's progress, then the sign-in."""
from __future__ import annotations

import os
import subprocess
import sys

from playwright.sync_api import expect

from deploy.cluster import free_port, wait_healthy
from review.platform.config import PROJECT_ROOT


def test_first_visitor_sees_progress_then_the_sign_in(page, tmp_path):
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(tmp_path / "fresh.db"), "REVIEW_TODAY": "2019-11-15"}
    env.pop("DATABASE_URL", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.address",
         "127.0.0.1"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(f"{url}/_stcore/health")
        page.goto(url)
        expect(page.get_by_role("heading", name="SEND IAG Review Tracker")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Setting up:")).to_be_visible()
        expect(page.get_by_role("progressbar")).to_be_visible()
        # No reload needed: the page turns into the sign-in page by itself when the data is ready.
        page.get_by_role("button", name="Sign in as SEND Executive Group (viewer)").wait_for(timeout=180_000)
        expect(page.get_by_text("Setting up:")).to_have_count(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
