"""Streamlit's hashed bundles served gzip-compressed from memory (deploy/static_assets.py): the same bytes as the file,
a year's caching as Streamlit marks them, and every other request handed to Streamlit unchanged."""
from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import pytest

from deploy.static_assets import ASSET_PATH, CompressedAssets, accepts_gzip, streamlit_static_dir

BUNDLE = b"export const answer = 42;\n" * 400


class Downstream:
    """Stands for Streamlit's app: records what reached it and answers 200 'streamlit'."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"streamlit", "more_body": False})


@pytest.fixture()
def static_dir(tmp_path: Path) -> Path:
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "css").mkdir()
    (tmp_path / "static" / "js" / "Plotly.Ab12-_x.js").write_bytes(BUNDLE)
    (tmp_path / "static" / "css" / "index.Zz9.css").write_bytes(b"body { margin: 0 }\n")
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "secret.js").write_text("not a bundle")
    return tmp_path


def call(app, path: str, method: str = "GET", headers: dict[str, str] | None = None, scope_type: str = "http"):
    """One request through the middleware: (status, headers, body)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": scope_type, "method": method, "path": path, "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_bundle_is_sent_compressed_and_unzips_to_the_file(static_dir):
    downstream = Downstream()
    app = CompressedAssets(downstream, directory=static_dir, base_url="")
    status, headers, body = call(app, "/static/js/Plotly.Ab12-_x.js", headers=GZIP)
    assert status == 200 and downstream.paths == []
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == BUNDLE
    assert int(headers["content-length"]) == len(body) < len(BUNDLE) / 10
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == "public, immutable, max-age=31536000"
    assert headers["vary"] == "Accept-Encoding"
    status, headers, body = call(app, "/static/css/index.Zz9.css", headers=GZIP)
    assert headers["content-type"] == "text/css; charset=utf-8" and gzip.decompress(body) == b"body { margin: 0 }\n"


def test_a_bundle_is_compressed_once_however_many_ask_for_it(static_dir, monkeypatch):
    app = CompressedAssets(Downstream(), directory=static_dir, base_url="")
    compressed: list[int] = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda data, **kw: compressed.append(len(data)) or real(data, **kw))

    async def many():
        async def one():
            sent: list[dict] = []

            async def send(message):
                sent.append(message)
            scope = {"type": "http", "method": "GET", "path": "/static/js/Plotly.Ab12-_x.js", "root_path": "",
                     "headers": [(b"accept-encoding", b"gzip")]}
            await app(scope, None, send)
            return gzip.decompress(sent[1]["body"])
        return await asyncio.gather(*(one() for _ in range(20)))

    assert asyncio.run(many()) == [BUNDLE] * 20
    assert compressed == [len(BUNDLE)]


def test_head_and_a_matching_etag_send_no_body(static_dir):
    app = CompressedAssets(Downstream(), directory=static_dir, base_url="")
    _, headers, _ = call(app, "/static/js/Plotly.Ab12-_x.js", headers=GZIP)
    status, head_headers, body = call(app, "/static/js/Plotly.Ab12-_x.js", method="HEAD", headers=GZIP)
    assert status == 200 and body == b"" and head_headers["content-length"] == headers["content-length"]
    status, _, body = call(app, "/static/js/Plotly.Ab12-_x.js", headers={**GZIP, "If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    status, _, body = call(app, "/static/js/Plotly.Ab12-_x.js", headers={**GZIP, "If-None-Match": '"other"'})
    assert status == 200 and gzip.decompress(body) == BUNDLE


@pytest.mark.parametrize("path, headers", [
    ("/static/js/Plotly.Ab12-_x.js", {}),                                   # the client takes no gzip
    ("/static/js/Plotly.Ab12-_x.js", {"Accept-Encoding": "gzip;q=0, br"}),  # ... or refuses it
    ("/static/js/Plotly.Ab12-_x.js", {**GZIP, "Range": "bytes=0-99"}),     # a range: Streamlit answers it
    ("/", GZIP),                                                              # the page itself (no-cache)
    ("/index.html", GZIP),
    ("/Executive_dashboard", GZIP),
    ("/static/js/Missing.abc.js", GZIP),                                      # not a file: Streamlit's answer
    ("/static/js/../../secret.js", GZIP),                                     # no way out of the folder
    ("/static/js/..%2f..%2fsecret.js", GZIP),
    ("/static/js/.hidden.js", GZIP),
    ("/static/media/font.woff2", GZIP),                                       # only js and css bundles
    ("/static/js/Plotly.Ab12-_x.js/", GZIP),
    ("/base/static/js/Plotly.Ab12-_x.js", GZIP),                              # not under this server's base URL
])
def test_everything_else_goes_to_streamlit_unchanged(static_dir, path, headers):
    downstream = Downstream()
    app = CompressedAssets(downstream, directory=static_dir, base_url="")
    status, sent_headers, body = call(app, path, headers=headers)
    assert (status, body, downstream.paths) == (200, b"streamlit", [path])
    assert "content-encoding" not in sent_headers


def test_made_up_names_are_not_remembered(static_dir):
    """Only real bundles are kept in memory: requests for a thousand names that are not files leave nothing behind."""
    downstream = Downstream()
    app = CompressedAssets(downstream, directory=static_dir, base_url="")
    for i in range(1000):
        call(app, f"/static/js/Made-up.{i}.js", headers=GZIP)
    assert len(downstream.paths) == 1000
    assert app._assets == {} and app._locks == {}
    call(app, "/static/js/Plotly.Ab12-_x.js", headers=GZIP)
    assert list(app._assets) == ["/static/js/Plotly.Ab12-_x.js"]


def test_a_post_and_a_websocket_go_to_streamlit(static_dir):
    downstream = Downstream()
    app = CompressedAssets(downstream, directory=static_dir, base_url="")
    call(app, "/static/js/Plotly.Ab12-_x.js", method="POST", headers=GZIP)
    call(app, "/_stcore/stream", headers=GZIP, scope_type="websocket")
    assert downstream.paths == ["/static/js/Plotly.Ab12-_x.js", "/_stcore/stream"]


def test_under_a_base_url_only_its_bundles_are_served(static_dir):
    downstream = Downstream()
    app = CompressedAssets(downstream, directory=static_dir, base_url="/review/")
    status, headers, body = call(app, "/review/static/js/Plotly.Ab12-_x.js", headers=GZIP)
    assert gzip.decompress(body) == BUNDLE and downstream.paths == []
    call(app, "/static/js/Plotly.Ab12-_x.js", headers=GZIP)
    assert downstream.paths == ["/static/js/Plotly.Ab12-_x.js"]


@pytest.mark.parametrize("value, accepted", [
    ("gzip", True), ("br, gzip;q=0.8", True), ("*", True), ("GZIP", True), ("gzip;q=0.001", True),
    ("gzip;q=0", False), ("gzip; q=0.0", False), ("gzip;q=0.000", False), ("gzip;q=x", False), ("br", False),
    ("identity", False), ("", False), ("br;q=1, gzip ; Q=0", False),
])
def test_accept_encoding(value, accepted):
    assert accepts_gzip([(b"Accept-Encoding", value.encode())]) is accepted


def test_streamlit_s_own_bundles_match_the_pattern():
    """If a Streamlit release renamed its bundles so that none matched, the middleware would silently do nothing."""
    bundles = [p for p in (streamlit_static_dir() / "static").rglob("*") if p.suffix in (".js", ".css")]
    assert len(bundles) > 50
    assert all(ASSET_PATH.match("/" + str(p.relative_to(streamlit_static_dir()))) for p in bundles)
