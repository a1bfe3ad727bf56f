"""Two app processes on one PostgreSQL database behind nginx (deploy/cluster.py): a sign-in made through one
process is valid on the other, and a change saved through one shows on the other at its next run."""
from __future__ import annotations

import gzip
import re
import urllib.request
from pathlib import Path

import pytest

from deploy.cluster import NGINX, Cluster
from deploy.static_assets import streamlit_static_dir
from review import demo
from review.accounts import users
from review.platform import db
from review.platform.roles import SYSTEM, Role
from tests.browser.conftest import _need, wait_for_heading, wait_idle
from tests.browser.test_task_journey import edit_form, open_task_in_full
from tests.conftest import create_pg_database, drop_pg_database, pg_database_url, require_postgres

PASSWORD = "Meeting-Room-7-Sunflower"


@pytest.fixture(scope="module")
def cluster():
    _need(Path(NGINX).exists(), f"nginx not found at {NGINX} (Debian: apt-get install nginx)")
    require_postgres()
    name = create_pg_database("review_scale_")
    url = pg_database_url(name)
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        demo.load_demo(session, with_accounts=False)
        users.create_user(session, SYSTEM, "officer1", Role.EDITOR.value, PASSWORD, "Officer One")
    engine.dispose()
    running = Cluster(url, processes=2, extra_env={"REVIEW_TODAY": "2019-11-15"})
    try:
        yield running.start()
    finally:
        running.stop()
        drop_pg_database(name)


def test_sign_in_and_changes_are_shared_by_both_processes(page, cluster):
    page.goto(cluster.url)
    page.get_by_label("Username").fill("officer1")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_for_heading(page, "The review at a glance")
    route = {c["name"]: c["value"] for c in page.context.cookies()}
    assert route.get("review_route"), "nginx sets the sticky route cookie"

    # The sign-in cookie names a session held in the database: each process resumes it.
    for index in (0, 1):
        page.goto(cluster.app_url(index))
        wait_for_heading(page, "The review at a glance")
        page.get_by_role("button", name="Sign out").wait_for(state="visible", timeout=30_000)  # signed in here too

    # A change saved through process 0 ...
    page.goto(cluster.app_url(0))
    wait_for_heading(page, "The review at a glance")
    open_task_in_full(page, "SUB-04")
    status = edit_form(page).get_by_label("Status", exact=True)
    assert status.input_value() != "In progress"
    status.click()
    page.get_by_role("option", name="In progress", exact=True).click()
    page.get_by_role("button", name="Save task").click()
    page.get_by_text("Task saved.").wait_for()

    # ... is what process 1 shows at its next run.
    page.goto(cluster.app_url(1))
    wait_for_heading(page, "The review at a glance")
    open_task_in_full(page, "SUB-04")
    wait_idle(page)
    assert edit_form(page).get_by_label("Status", exact=True).input_value() == "In progress"


def test_nginx_sends_streamlit_s_bundles_compressed(cluster):
    with urllib.request.urlopen(cluster.url, timeout=30) as response:
        bundle = re.search(r'src="\.?(/static/js/[^"]+\.js)"', response.read().decode())[1]
    request = urllib.request.Request(cluster.url + bundle, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.read()) == (streamlit_static_dir() / bundle.lstrip("/")).read_bytes()
