"""The app as users run it (`streamlit run serve.py`) sends Streamlit's JavaScript and CSS bundles gzip-compressed,
and the browser draws the dashboard from them (deploy/static_assets.py)."""
from __future__ import annotations

import gzip
import urllib.request

from deploy.static_assets import streamlit_static_dir
from tests.browser.conftest import sign_in_as, wait_for_heading


def test_the_browser_gets_every_bundle_compressed_and_draws_the_dashboard(app_url, page):
    bundles: dict[str, str | None] = {}

    def seen(response) -> None:
        path = response.url.removeprefix(app_url)
        if path.startswith("/static/") and path.endswith((".js", ".css")):
            bundles[path] = response.headers.get("content-encoding")

    page.on("response", seen)
    sign_in_as(page, app_url, "SEND Executive Group (viewer)")
    wait_for_heading(page, "SEND Executive dashboard")
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert any("Plotly" in path for path in bundles) and len(bundles) > 30
    assert {path: coding for path, coding in bundles.items() if coding != "gzip"} == {}

    plotly = next(path for path in bundles if "Plotly" in path)
    request = urllib.request.Request(app_url + plotly, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    original = (streamlit_static_dir() / plotly.lstrip("/")).read_bytes()
    assert gzip.decompress(body) == original and len(body) < len(original) / 2
    with urllib.request.urlopen(app_url + plotly, timeout=30) as response:  # a client without gzip: the file itself
        assert response.headers.get("Content-Encoding") is None and response.read() == original
