"""Settings read from the environment, with the embedded SQLite file as the default store."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_SQLITE_PATH = DATA_DIR / "review.db"

# Call-in period in working days: set by each council's constitution; five is typical (BRIEF.md).
DEFAULT_CALL_IN_WORKING_DAYS = 5
# A contract is "expiring" when its end date is within this many days.
DEFAULT_EXPIRING_WITHIN_DAYS = 180
# OWASP session guidance: an idle timeout of 15-30 minutes for low-risk applications.
DEFAULT_IDLE_TIMEOUT_MINUTES = 30
# A signed-in browser stays signed in for at most a working day, then asks again.
DEFAULT_SESSION_LIFETIME_HOURS = 10


# Who people write to about accessibility problems (named in the accessibility statement).
DEFAULT_ACCESSIBILITY_CONTACT = "the SEND IAG review project team, through the council's contact centre"


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver name the URL gives."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Settings:
    """What the app needs to know about its deployment."""

    database_url: str
    shared_database: bool
    demo_mode: bool
    as_of: date | None
    call_in_working_days: int = DEFAULT_CALL_IN_WORKING_DAYS
    expiring_within_days: int = DEFAULT_EXPIRING_WITHIN_DAYS
    idle_timeout_minutes: int = DEFAULT_IDLE_TIMEOUT_MINUTES
    session_lifetime_hours: int = DEFAULT_SESSION_LIFETIME_HOURS
    oidc_role_map: str = ""
    oidc_role_claims: str = "groups,roles"
    accessibility_contact: str = DEFAULT_ACCESSIBILITY_CONTACT

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def demo_as_of() -> date | None:
    """The date the demo data set is 'as at' (data/demo/meta.json), so its dashboards make sense."""
    meta = DEMO_DIR / "meta.json"
    if not meta.exists():
        return None
    return date.fromisoformat(json.loads(meta.read_text())["as_of"])


def get_settings() -> Settings:
    """Read settings from the environment.

    DATABASE_URL switches to a shared (PostgreSQL) database, where demo mode is always off.
    REVIEW_SQLITE_PATH moves the embedded database file; REVIEW_DEMO=0 switches demo mode off;
    REVIEW_TODAY fixes the date the app treats as today (YYYY-MM-DD).
    Sign-in: REVIEW_IDLE_TIMEOUT_MINUTES, REVIEW_SESSION_HOURS, REVIEW_OIDC_ROLE_MAP ("claim-value=role,..."),
    REVIEW_OIDC_ROLE_CLAIMS (the claims holding groups or roles; default "groups,roles").
    """
    return _settings_for(tuple(os.environ.get(name) for name in SETTINGS_ENVIRONMENT))


# Every variable get_settings reads: settings are built once per set of their values (pages ask many times a run).
SETTINGS_ENVIRONMENT = ("DATABASE_URL", "REVIEW_SQLITE_PATH", "REVIEW_DEMO", "REVIEW_TODAY", "REVIEW_CALL_IN_DAYS",
                        "REVIEW_EXPIRING_DAYS", "REVIEW_IDLE_TIMEOUT_MINUTES", "REVIEW_SESSION_HOURS",
                        "REVIEW_OIDC_ROLE_MAP", "REVIEW_OIDC_ROLE_CLAIMS", "REVIEW_ACCESSIBILITY_CONTACT")


@lru_cache(maxsize=32)
def _settings_for(values: tuple[str | None, ...]) -> Settings:
    env = {name: value for name, value in zip(SETTINGS_ENVIRONMENT, values, strict=True) if value is not None}
    url = env.get("DATABASE_URL", "").strip()
    shared = bool(url)
    if not url:
        path = Path(env.get("REVIEW_SQLITE_PATH") or DEFAULT_SQLITE_PATH)
        url = f"sqlite:///{path}"
    demo = (not shared) and _truthy(env.get("REVIEW_DEMO"), True)
    today = env.get("REVIEW_TODAY", "").strip()
    as_of = date.fromisoformat(today) if today else (demo_as_of() if demo else None)
    return Settings(
        database_url=normalise_database_url(url),
        shared_database=shared,
        demo_mode=demo,
        as_of=as_of,
        call_in_working_days=int(env.get("REVIEW_CALL_IN_DAYS", DEFAULT_CALL_IN_WORKING_DAYS)),
        expiring_within_days=int(env.get("REVIEW_EXPIRING_DAYS", DEFAULT_EXPIRING_WITHIN_DAYS)),
        idle_timeout_minutes=int(env.get("REVIEW_IDLE_TIMEOUT_MINUTES") or DEFAULT_IDLE_TIMEOUT_MINUTES),
        session_lifetime_hours=int(env.get("REVIEW_SESSION_HOURS") or DEFAULT_SESSION_LIFETIME_HOURS),
        oidc_role_map=env.get("REVIEW_OIDC_ROLE_MAP", "").strip(),
        oidc_role_claims=env.get("REVIEW_OIDC_ROLE_CLAIMS", "").strip() or "groups,roles",
        accessibility_contact=env.get("REVIEW_ACCESSIBILITY_CONTACT", "").strip()
        or DEFAULT_ACCESSIBILITY_CONTACT,
    )
