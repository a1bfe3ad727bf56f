"""A task comment holding a Markdown image makes the browser fetch nothing from the address it names."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle
from tests.browser.test_task_journey import open_task_in_full


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on loopback that counts the requests it gets; yields its address and the list."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    _Counter.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.hits
    server.shutdown()
    server.server_close()


def test_a_markdown_image_in_a_comment_is_shown_as_text_and_never_fetched(page, app_url, trap):
    address, hits = trap
    comment = f"See ![p]({address}/x.png) and [this]({address}/link) <img src='{address}/raw.png'>"
    trap_host = urlparse(address).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    sign_in_as(page, app_url, "Project team (editor)")
    open_task_in_full(page, "EXP-02")
    page.get_by_label("Add a comment").fill(comment)
    page.get_by_role("button", name="Add comment").click()
    wait_idle(page)
    page.get_by_text("/x.png) and [this](", exact=False).first.wait_for()  # shown as the text typed
    screenshot(page, "hostile-comment")

    page.reload()  # the task opened afresh from the database
    wait_idle(page)
    open_task_in_full(page, "EXP-02")
    page.get_by_text("/x.png) and [this](", exact=False).first.wait_for()
    assert page.locator(f"img[src^='{address}']").count() == 0
    assert page.locator(f"a[href^='{address}']").count() == 0

    page.get_by_role("link", name="Executive dashboard").first.click()
    wait_for_heading(page, "SEND Executive dashboard")
    page.wait_for_timeout(500)
    assert hits == []
    assert [url for url in requested if urlparse(url).netloc == trap_host] == []
