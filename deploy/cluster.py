"""Run the tracker as several Streamlit processes on one PostgreSQL database behind nginx.

    DATABASE_URL=postgresql+psycopg://... python3 deploy/cluster.py --processes 2 --port 8080

Every process gets the same `server.cookieSecret` (Streamlit signs its XSRF and `st.login` cookies with it), so a
browser may be served by any of them; nginx keeps each browser on one process (see nginx.conf.template). The
sign-in cookie names a session held in the database, so a sign-in is valid on every process, and every page reads
through caches keyed by the database's data version, so a change saved through one process shows on the others at
their next run. Used by the README's deployment section, tests/browser/test_scale_out.py and
benchmarks/meeting.py.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import streamlit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
STREAMLIT_STATIC = Path(streamlit.__file__).parent / "static"
START_TIMEOUT_S = 90


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = START_TIMEOUT_S) -> None:
    """Wait until `url` answers 200 (Streamlit's /_stcore/health), or raise TimeoutError."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def render_nginx_conf(prefix: Path, listen_port: int, app_ports: list[int]) -> Path:
    """Write nginx.conf for these app ports into `prefix` and return its path."""
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    # nginx's workers read the static files: as root they would drop to `nobody`, who cannot read /root.
    user_line = "user root;" if os.geteuid() == 0 else ""
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in app_ports)
    text = Template(TEMPLATE.read_text()).safe_substitute(
        listen_port=listen_port, upstreams=upstreams, static_dir=STREAMLIT_STATIC, prefix=prefix,
        user_line=user_line)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


@dataclass
class Cluster:
    """N app processes and nginx, started together and stopped together."""

    database_url: str
    processes: int = 2
    port: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="review-cluster-")))
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)  # more `streamlit run` options, e.g. --secrets.files
    app_ports: list[int] = field(default_factory=list)
    apps: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[index]}"

    def start(self) -> Cluster:
        self.port = self.port or free_port()
        env = {**os.environ, **self.extra_env, "DATABASE_URL": self.database_url,
               "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
               or secrets.token_urlsafe(32)}
        for i in range(self.processes):
            port = free_port()
            self.app_ports.append(port)
            log = open(self.workdir / f"app-{i}.log", "w")  # noqa: SIM115 - closed with the process
            self.apps.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false", *self.extra_args],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for i in range(self.processes):
            wait_healthy(f"{self.app_url(i)}/_stcore/health")
        conf = render_nginx_conf(self.workdir / "nginx", self.port, self.app_ports)
        self.nginx = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=open(self.workdir / "nginx.err", "w"))
        wait_healthy(f"{self.url}/_stcore/health", timeout=20)
        return self

    def server_pids(self) -> list[int]:
        return [p.pid for p in self.apps]

    def stop(self) -> None:
        for proc in [self.nginx, *self.apps]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.nginx, *self.apps]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="how many Streamlit processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to the PostgreSQL database (several processes need a shared database).",
              file=sys.stderr)
        return 2
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    cluster = Cluster(url, processes=args.processes, port=args.port).start()
    print(f"Serving {cluster.url} through nginx to {args.processes} app processes on ports "
          f"{', '.join(map(str, cluster.app_ports))}; logs in {cluster.workdir}. Ctrl+C stops them all.")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
