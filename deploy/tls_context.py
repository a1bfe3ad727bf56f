"""One TLS context for the HTTP clients that single sign-on makes, instead of a new one for each.

Streamlit's `st.login` asks Authlib for a new `httpx.AsyncClient` for every step of a sign-in (the provider's metadata,
the redirect, the code-for-token exchange, its signing keys): four or five a sign-in. httpx builds a new TLS context
for each client and loads the whole CA bundle into it, about 20 ms of CPU each on this machine: a third of a
member's sign-in landing behind nginx, and for the whole Executive Group arriving at once, a few seconds of one
process (httpx issue #3627; `requests` keeps one context for the same reason, psf/requests#6667).

`install()` makes httpx's transports take one shared context for the default case only (`verify=True`, no client
certificate, the environment trusted: certifi's bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR` as httpx reads them), made
the first time it is asked for. Certificates and host names are checked exactly as before; any other `verify` or a
client certificate gets its own context as before. A context may be shared by connections: httpcore only sets its
ALPN protocols on it, the same ones ("http/1.1") for every client here, since HTTP/2 (the `h2` package) is not
installed. Called by `serve.py` when the server starts.
"""
from __future__ import annotations

import functools
import ssl
from typing import Any

try:
    from httpx._transports import default as _transport
except ImportError:  # httpx comes with Authlib, which single sign-on needs; without it there is nothing to do
    _transport = None  # type: ignore[assignment]

_ORIGINAL = getattr(_transport, "create_ssl_context", None)


@functools.cache
def default_context() -> ssl.SSLContext:
    """The shared context: what httpx makes for its default arguments, made once."""
    assert _ORIGINAL is not None
    return _ORIGINAL()


def _create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
    if verify is True and cert is None and trust_env:
        return default_context()
    assert _ORIGINAL is not None
    return _ORIGINAL(verify=verify, cert=cert, trust_env=trust_env)


def install() -> bool:
    """Share the default context from now on; False when httpx is missing or no longer looks as expected."""
    if _ORIGINAL is None or _transport is None:
        return False
    _transport.create_ssl_context = _create_ssl_context  # type: ignore[attr-defined]
    return True
