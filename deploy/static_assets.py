"""Streamlit's hashed static assets served from memory, gzip-compressed once per process.

Streamlit serves its JavaScript and CSS bundles uncompressed, reading each file in 64 KB chunks on a worker thread.
A member who arrives at the dashboard with a fresh browser fetches about 6.4 MB of them (Plotly alone is 4.7 MB),
and serving those cost the embedded server 0.10 to 0.12 s of CPU per member (2026-12-01, a slow 2-core machine):
most of the landing's cost. This ASGI middleware answers a request for one of those bundles with a single body,
compressed with gzip the first time any session asks for it and kept in memory for the life of the process (about
a third of the bytes).

Only the content-hashed bundles under `static/js` and `static/css` are served here, to a client that
accepts gzip; their names change with each Streamlit release, so they are cached by browsers for a year, as Streamlit
itself marks them. Everything else (the HTML page, a name that is not a file there, a client without gzip, a range
request) goes on to Streamlit unchanged. Behind nginx, nginx serves these files itself (`deploy/nginx.conf.template`).

No library fits: servestatic and blacknoise read files in 8 KB blocks on a worker thread, and compression middleware
(Starlette's, starlette-compress) compresses again on every response.
"""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A hashed bundle's name is one path segment of letters, digits, '.', '_' and '-' that does not start with a dot, so
# neither '..' nor a separator can reach outside the folder.
ASSET_PATH = re.compile(r"^(?P<base>/.*)?(?P<file>/static/(js|css)/[A-Za-z0-9_-][A-Za-z0-9._-]*\.(js|css))$")
CACHE_CONTROL = f"public, immutable, max-age={365 * 24 * 60 * 60}"
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def streamlit_static_dir() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


def accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the Accept-Encoding header names gzip (or `*`) with a weight above 0."""
    for name, value in headers:
        if name.lower() == b"accept-encoding":
            for part in value.decode("latin-1").split(","):
                coding, *params = (p.strip() for p in part.split(";"))
                if coding.lower() in ("gzip", "*") and _weight(params) > 0:
                    return True
    return False


def _weight(params: list[str]) -> float:
    for param in params:
        key, _, number = param.replace(" ", "").partition("=")
        if key.lower() == "q":
            try:
                return float(number)
            except ValueError:
                return 0.0
    return 1.0


def header(headers: list[tuple[bytes, bytes]], wanted: bytes) -> bytes | None:
    return next((value for name, value in headers if name.lower() == wanted), None)


class CompressedAssets:
    """ASGI middleware: `app = st.App("app.py", middleware=[Middleware(CompressedAssets)])`."""

    def __init__(self, app: ASGIApp, directory: Path | None = None, base_url: str | None = None) -> None:
        self.app = app
        self.directory = (directory or streamlit_static_dir()).resolve()
        if base_url is None:
            from streamlit import config

            base_url = config.get_option("server.baseUrlPath") or ""
        self.base = "/" + base_url.strip("/") if base_url.strip("/") else ""
        self._assets: dict[str, Asset] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        match = ASSET_PATH.match(scope["path"])
        headers = scope.get("headers", [])
        if (match is None or (match["base"] or "") != self.base or not accepts_gzip(headers)
                or header(headers, b"range") is not None):
            await self.app(scope, receive, send)
            return
        asset = await self._asset(match["file"])
        if asset is None:
            await self.app(scope, receive, send)
            return
        await self._respond(scope, send, asset, headers)

    async def _asset(self, path: str) -> Asset | None:
        """The compressed bundle, or None when the name is not a file in the folder. Only real bundles are
        remembered (a few hundred at most), so requests for made-up names cannot make the process grow."""
        asset = self._assets.get(path)
        if asset is not None:
            return asset
        file = self.directory / path.lstrip("/")
        if not file.is_file() or file.resolve().parent.parent.parent != self.directory:
            return None
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:  # one compression per file, however many members ask for it at once
            if path not in self._assets:
                self._assets[path] = await asyncio.to_thread(self._compress, file)
        return self._assets[path]

    @staticmethod
    def _compress(file: Path) -> Asset:
        data = file.read_bytes()
        content_type = "text/css" if file.suffix == ".css" else "text/javascript"
        return Asset(gzip.compress(data, compresslevel=COMPRESS_LEVEL, mtime=0), f"{content_type}; charset=utf-8",
                     f'"{hashlib.sha256(data).hexdigest()[:32]}-gz"')

    @staticmethod
    async def _respond(scope: Scope, send: Send, asset: Asset, headers: list[tuple[bytes, bytes]]) -> None:
        not_modified = header(headers, b"if-none-match") == asset.etag.encode()
        response_headers = [
            (b"content-type", asset.content_type.encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"etag", asset.etag.encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        if not not_modified:
            response_headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(asset.body)).encode())]
        await send({"type": "http.response.start", "status": 304 if not_modified else 200,
                    "headers": response_headers})
        body = b"" if not_modified or scope["method"] == "HEAD" else asset.body
        await send({"type": "http.response.body", "body": body, "more_body": False})
