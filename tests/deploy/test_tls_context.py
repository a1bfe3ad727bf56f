"""serve.py makes single sign-on's HTTP clients share one TLS context (deploy/tls_context.py): the same checks,
without loading the CA bundle for every client."""
from __future__ import annotations

import json
import subprocess
import sys

from deploy.warm_up import ROOT

PROBE = """
import json, ssl
import httpx
if {serve}:
    import serve
def context(client):
    return client._transport._pool._ssl_context
a, b = httpx.AsyncClient(), httpx.AsyncClient()
sync = httpx.Client()
loose = httpx.AsyncClient(verify=False)
shared = context(a)
print(json.dumps({{
    "same": context(a) is context(b) is context(sync),
    "loose_apart": context(loose) is not shared and context(loose).verify_mode == ssl.CERT_NONE,
    "checks": shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname,
    "authorities": shared.cert_store_stats()["x509_ca"],
}}))
"""


def _probe(serve: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(serve=serve)], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_after_serve_clients_share_one_context_that_still_checks_certificates():
    found = _probe(serve=True)
    assert found["same"] and found["loose_apart"] and found["checks"]
    assert found["authorities"] > 50  # certifi's bundle is loaded, once


def test_without_it_every_client_loads_its_own():
    found = _probe(serve=False)
    assert not found["same"] and found["checks"] and found["authorities"] > 50
