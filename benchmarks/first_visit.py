"""The first visit to a fresh install: how soon after the server answers its health check does the first visitor
see the sign-in page, and when can they sign in (the demo data loaded)?

    python benchmarks/first_visit.py [--repeat 3]

Each repeat starts `streamlit run serve.py` on a new embedded database (as a fresh clone would), waits for
/_stcore/health, opens headless Chromium and prints one line:

    health_s=H first_paint_s=P sign_in_ready_s=R

P counts from the health check's answer to the app's heading on screen (goal: within 3 s); R to the Sign in button.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import print_reference  # noqa: E402  (benchmarks/machine.py, beside this script)
from playwright.sync_api import sync_playwright  # noqa: E402

from deploy.cluster import free_port, wait_healthy  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def first_visit(browser) -> str:
    folder = Path(tempfile.mkdtemp(prefix="review-first-visit-"))
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(folder / "fresh.db"), "REVIEW_TODAY": "2019-11-15"}
    env.pop("DATABASE_URL", None)
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.address",
         "127.0.0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(f"{url}/_stcore/health")
        healthy = time.perf_counter()
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("heading", name="SEND IAG Review Tracker").first.wait_for(timeout=120_000)
        painted = time.perf_counter()
        page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=300_000)
        ready = time.perf_counter()
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return (f"health_s={healthy - started:.2f} first_paint_s={painted - healthy:.2f} "
            f"sign_in_ready_s={ready - healthy:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print_reference()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(args.repeat):
            print(first_visit(browser), flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
