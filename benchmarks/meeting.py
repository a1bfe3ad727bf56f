"""A SEND Executive meeting: N members open the dashboard in the same minute, each with a fresh browser.

    python benchmarks/meeting.py                      # N = 1, 5, 10, 20 on the embedded database
    python benchmarks/meeting.py --members 20 --nginx # also two app processes on PostgreSQL behind nginx
    python benchmarks/meeting.py --members 20 --nginx --nginx-sign-in password   # members there use passwords

For each N, every member (a new headless Chromium context, so no cached static files) opens the sign-in page,
signs in as an Executive member and waits until the dashboard's charts are drawn; then each reloads the dashboard
with a warm browser cache. The phases run for all members at once, one after the other, and the app servers'
CPU time (user + system, read from /proc/<pid>/stat) is read between them. One line per N and deployment:

    deployment=embedded members=N ok=K worst_s=W server_cpu_s_per_member=C sign_in_page_cpu_s=P
        sign_in_landing_cpu_s=L reload_cpu_s=R

(the last three are per member). Goals (issue 17): C <= 0.3 at N = 20, L <= 0.15, R <= 0.1. The server is warmed
by one visit first (a meeting happens on a running server); `--cold` leaves that out. Members on the embedded database
use the one-click demo sign-in. Behind nginx they sign in as a council's members would, through single sign-on: an
OpenID Connect provider on loopback (oidc-provider-mock, in this script's process, standing in for the council's;
its CPU is not the app's), whose page each member's browser passes through, with accounts that already exist (a
regular meeting, not everyone's first sign-in). `--nginx-sign-in password` has them sign in with a username and
password instead, so their landing includes one argon2 check, whose cost on this machine is printed first
(`password_check_cpu_s`).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import print_reference  # noqa: E402  (benchmarks/machine.py, beside this script)
from playwright.async_api import async_playwright  # noqa: E402

from deploy.cluster import Cluster, free_port, wait_healthy  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWER_LABEL = "SEND Executive Group (viewer)"
SSO_LABEL = "Council account"
SSO_GROUP = "grp-send-executive"
PASSWORD = "Executive-Meeting-2019!"
TIMEOUT_MS = 180_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (fields 14 and 15 of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


async def wait_streamlit_idle(page) -> None:
    await page.wait_for_timeout(200)
    # The app's root says whether a run is going on; the status widget is never drawn with the minimal toolbar.
    await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached",
                                 timeout=TIMEOUT_MS)


async def wait_dashboard(page) -> None:
    await page.get_by_role("heading", name="SEND Executive dashboard").first.wait_for(timeout=TIMEOUT_MS)
    await page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)
    await wait_streamlit_idle(page)


@dataclass(frozen=True)
class SignIn:
    """How a member signs in: the one-click demo button (no name), a password, or single sign-on as a subject."""

    how: str  # "demo", "password" or "sso"
    name: str | None = None


class Member:
    def __init__(self, browser, url: str, sign_in: SignIn):
        self.browser, self.url, self.how = browser, url, sign_in
        self.context = self.page = None
        self.ok, self.seconds = True, 0.0

    async def open_sign_in(self) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1366, "height": 900})
        self.page = await self.context.new_page()
        await self._timed(self._open)

    async def _open(self) -> None:
        await self.page.goto(self.url, timeout=TIMEOUT_MS)
        first = "Sign in with " + SSO_LABEL if self.how.how == "sso" else "Sign in"
        await self.page.get_by_role("button", name=first, exact=True).wait_for(timeout=TIMEOUT_MS)
        await wait_streamlit_idle(self.page)

    async def sign_in(self) -> None:
        await self._timed(self._sign_in)

    async def _sign_in(self) -> None:
        if self.how.how == "demo":
            await self.page.get_by_role("button", name=f"Sign in as {VIEWER_LABEL}").click()
        elif self.how.how == "sso":
            await self.page.get_by_role("button", name=f"Sign in with {SSO_LABEL}").click()
            await self.page.get_by_role("button", name=self.how.name, exact=True).click(timeout=TIMEOUT_MS)
        else:
            await self.page.get_by_label("Username").fill(self.how.name)
            await self.page.get_by_role("textbox", name="Password").fill(PASSWORD)
            await self.page.get_by_role("button", name="Sign in", exact=True).click()
        await wait_dashboard(self.page)

    async def reload(self) -> None:
        await self._timed(self._reload)

    async def _reload(self) -> None:
        await self.page.reload()
        await wait_dashboard(self.page)

    async def _timed(self, step) -> None:
        start = time.perf_counter()
        try:
            await step()
        except Exception as exc:  # noqa: BLE001 - a member who could not finish is counted, not fatal
            self.ok = False
            print(f"  member failed: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        self.seconds = max(self.seconds, time.perf_counter() - start)

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()


async def meeting(url: str, pids: list[int], members: int, sign_ins: list[SignIn], label: str) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        people = [Member(browser, url, sign_ins[i % len(sign_ins)]) for i in range(members)]
        phases = {}
        for name in ("open_sign_in", "sign_in", "reload"):
            before = cpu_seconds(pids)
            await asyncio.gather(*(getattr(m, name)() for m in people))
            phases[name] = (cpu_seconds(pids) - before) / members
        await asyncio.gather(*(m.close() for m in people))
        await browser.close()
    ok = sum(m.ok for m in people)
    worst = max(m.seconds for m in people)
    arrival = phases["open_sign_in"] + phases["sign_in"]
    print(f"deployment={label} members={members} ok={ok} worst_s={worst:.2f} server_cpu_s_per_member={arrival:.3f} "
          f"sign_in_page_cpu_s={phases['open_sign_in']:.3f} sign_in_landing_cpu_s={phases['sign_in']:.3f} "
          f"reload_cpu_s={phases['reload']:.3f}", flush=True)


def start_embedded(workdir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(workdir / "meeting.db")}
    env.pop("DATABASE_URL", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=open(workdir / "app.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(f"{url}/_stcore/health")
    return proc, url


def postgres_database(workdir: Path, accounts: int, issuer: str | None = None) -> tuple[str, str]:
    """A new PostgreSQL database with the demo data and `accounts` Executive members; returns (name, url). With an
    `issuer`, the members are single sign-on accounts of that provider (subjects exec00, exec01...) that have signed
    in before; without, they have passwords."""
    from sqlalchemy import create_engine, text

    from review import demo
    from review.accounts import sso, users
    from review.platform import db
    from review.platform.roles import SYSTEM, Role

    server = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"review_meeting_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.rsplit("/", 1)[0] + f"/{name}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        demo.load_demo(session, with_accounts=False)
        for i in range(accounts):
            if issuer is None:
                users.create_user(session, SYSTEM, f"exec{i:02d}", Role.VIEWER.value, PASSWORD,
                                  f"Executive member {i}")
            else:
                sso.sso_sign_in(session, {"iss": issuer, "sub": f"exec{i:02d}", **member_claims(i)},
                                role_map={SSO_GROUP: Role.VIEWER})
    engine.dispose()
    return name, url


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    server = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def member_claims(i: int) -> dict:
    return {"name": f"Executive member {i}", "email": f"exec{i:02d}@council.example", "groups": [SSO_GROUP]}


@contextlib.contextmanager
def identity_provider(accounts: int):
    """An OpenID Connect provider on loopback that knows the members; yields its URL and issuer."""
    from oidc_provider_mock import User, run_server_in_thread

    people = [User(sub=f"exec{i:02d}", claims=member_claims(i)) for i in range(accounts)]
    with run_server_in_thread(port=free_port(), user_claims=people) as server:
        url = f"http://localhost:{server.server_port}"
        with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=10) as answer:
            yield url, json.load(answer)["issuer"]


def sso_settings(workdir: Path, provider: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The `streamlit run` options and environment for single sign-on through `provider` at nginx's `port`."""
    secrets_file = workdir / "secrets.toml"
    secrets_file.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "send-review-tracker"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    return (["--secrets.files", str(secrets_file)],
            {"REVIEW_OIDC_ROLE_MAP": f"{SSO_GROUP}=viewer", "REVIEW_SSO_LABEL": SSO_LABEL})


def password_check_cpu_s(repeat: int = 5) -> float:
    """CPU seconds of one argon2 password check on this machine (the members behind nginx sign in with a password;
    the embedded members use the one-click demo sign-in, which checks none)."""
    from review.accounts import passwords

    stored = passwords.hash_password(PASSWORD)
    started = time.process_time()
    for _ in range(repeat):
        passwords.verify_password(stored, PASSWORD)
    return (time.process_time() - started) / repeat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--nginx", action="store_true", help="also run two processes on PostgreSQL behind nginx")
    parser.add_argument("--nginx-sign-in", choices=["sso", "password"], default="sso",
                        help="how members sign in behind nginx (default: single sign-on)")
    parser.add_argument("--cold", action="store_true", help="no warm-up visit before the first meeting")
    args = parser.parse_args()
    print_reference()
    workdir = Path(tempfile.mkdtemp(prefix="review-meeting-"))
    try:
        proc, url = start_embedded(workdir)
        try:
            if not args.cold:
                asyncio.run(meeting(url, [proc.pid], 1, [SignIn("demo")], "warm-up"))
            for n in args.members:
                asyncio.run(meeting(url, [proc.pid], n, [SignIn("demo")], "embedded"))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        if args.nginx:
            accounts = max(args.members)
            with contextlib.ExitStack() as stack:
                port, options, env, issuer = free_port(), [], {"REVIEW_TODAY": "2019-11-15"}, None
                if args.nginx_sign_in == "password":
                    print(f"password_check_cpu_s={password_check_cpu_s():.3f} (in each nginx member's "
                          "sign_in_landing_cpu_s: they sign in with a password, checked with argon2)", flush=True)
                else:
                    provider, issuer = stack.enter_context(identity_provider(accounts))
                    options, sso_env = sso_settings(workdir, provider, port)
                    env |= sso_env
                name, db_url = postgres_database(workdir, accounts, issuer)
                stack.callback(drop_database, name)
                cluster = stack.enter_context(Cluster(db_url, processes=2, port=port, extra_env=env,
                                                      extra_args=options))
                sign_ins = [SignIn(args.nginx_sign_in, f"exec{i:02d}") for i in range(accounts)]
                label = f"nginx-2-postgresql-{args.nginx_sign_in}"
                if not args.cold:
                    asyncio.run(meeting(cluster.url, cluster.server_pids(), 2, sign_ins, "warm-up"))
                for n in args.members:
                    asyncio.run(meeting(cluster.url, cluster.server_pids(), n, sign_ins, label))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
