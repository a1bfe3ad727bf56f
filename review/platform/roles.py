"""Roles, what each may do, and the check every service function makes before it writes."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from review.platform.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    COMMISSIONER = "commissioner"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.EDITOR: "Project team (editor)",
    Role.COMMISSIONER: "Commissioner",
    Role.VIEWER: "SEND Executive Group (viewer)",
}


class Permission(StrEnum):
    """Capabilities; a page or a service names the one it needs."""

    VIEW = "view"  # read dashboards, plans, registers and reports
    EDIT_TASKS = "edit_tasks"
    EDIT_PLAN = "edit_plan"  # baselines, templates, RAID log, RAG overrides
    EDIT_CONTRACTS = "edit_contracts"
    EDIT_DECISIONS = "edit_decisions"
    EDIT_ENGAGEMENT = "edit_engagement"
    READ_PERSONAL_DATA = "read_personal_data"  # engagement inputs, unsuppressed counts
    EDIT_SCENARIOS = "edit_scenarios"
    EDIT_SUBMISSIONS = "edit_submissions"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"


_PROJECT_TEAM = {
    Permission.VIEW,
    Permission.EDIT_TASKS,
    Permission.EDIT_PLAN,
    Permission.EDIT_CONTRACTS,
    Permission.EDIT_DECISIONS,
    Permission.EDIT_ENGAGEMENT,
    Permission.READ_PERSONAL_DATA,
    Permission.EDIT_SUBMISSIONS,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset(_PROJECT_TEAM),
    Role.COMMISSIONER: frozenset({Permission.VIEW, Permission.EDIT_SCENARIOS}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}

_ACTION_WORDS: dict[Permission, str] = {
    Permission.VIEW: "view this",
    Permission.EDIT_TASKS: "change tasks",
    Permission.EDIT_PLAN: "change the plan, baselines or RAID log",
    Permission.EDIT_CONTRACTS: "change the contract register",
    Permission.EDIT_DECISIONS: "change the decision log",
    Permission.EDIT_ENGAGEMENT: "change the engagement record",
    Permission.READ_PERSONAL_DATA: "see parents' individual responses",
    Permission.EDIT_SCENARIOS: "save phone-line cost scenarios",
    Permission.EDIT_SUBMISSIONS: "change the submission pack",
    Permission.MANAGE_USERS: "manage user accounts",
    Permission.READ_AUDIT: "read the audit log",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in person as services see them (safe to keep in a UI session)."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    person_id: int | None = None

    def can(self, permission: Permission) -> bool:
        """Whether this actor's role grants the permission."""
        return permission in GRANTS[self.role]


# Used by the command line and the demo loader: acts with admin rights, audited as "system".
SYSTEM = Actor(user_id=None, username="system", display_name="System", role=Role.ADMIN)


def require(actor: Actor | None, permission: Permission) -> None:
    """Raise PermissionDenied unless the actor's role grants the permission."""
    if actor is None:
        raise PermissionDenied("Please sign in first.")
    if not actor.can(permission):
        raise PermissionDenied(
            f"Your role ({actor.role.label}) cannot {_ACTION_WORDS[permission]}. Nothing was changed."
        )
