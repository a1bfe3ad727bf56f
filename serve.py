"""The server entry: `python3 -m streamlit run serve.py` runs the app (`app.py` and `pages/`) as an ASGI app.

It is `app.py` with three additions:

* Streamlit's JavaScript and CSS bundles are served gzip-compressed from memory (`deploy/static_assets.py`), which
  cuts the server's CPU for a member's first visit to the dashboard by about 0.1 s and the bytes sent by about three
  quarters.
* The modules the pages import (pandas, Plotly, SQLAlchemy, Alembic, the app's own) are imported here, while the
  server starts and before it answers its health check, not in the first visitor's run (`deploy/warm_up.py`).
* Single sign-on's HTTP clients share one TLS context rather than load the CA bundle for each (about 0.1 s of CPU
  a sign-in; `deploy/tls_context.py`).

Every Streamlit option (`--server.port`, `.streamlit/config.toml`, `[auth]` in `.streamlit/secrets.toml`) works as
with `streamlit run app.py`, which still runs the same app without them.
"""
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from deploy import tls_context
from deploy.static_assets import CompressedAssets
from deploy.warm_up import import_page_modules

import_page_modules()
tls_context.install()
app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(CompressedAssets)])
