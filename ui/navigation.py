"""The pages of the app, who may open each, and the role-aware sidebar menu."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from review.platform.roles import Actor, Permission


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str  # relative to the project root, as st.page_link wants it
    label: str
    icon: str
    permission: Permission
    section: str
    public: bool = False  # open to signed-out visitors too (the sign-in page, the accessibility statement)


PAGES: list[PageSpec] = [
    PageSpec("home", "app.py", "Home", ":material/home:", Permission.VIEW, "Overview", public=True),
    PageSpec("dashboard", "pages/1_Executive_dashboard.py", "Executive dashboard", ":material/dashboard:",
             Permission.VIEW, "Overview"),
    PageSpec("tasks", "pages/2_Tasks.py", "Tasks", ":material/checklist:", Permission.EDIT_TASKS, "Plan"),
    PageSpec("plan", "pages/3_Plan.py", "Plan and baselines", ":material/timeline:", Permission.VIEW, "Plan"),
    PageSpec("raid", "pages/4_RAID_log.py", "RAID log", ":material/warning:", Permission.VIEW, "Plan"),
    PageSpec("contracts", "pages/5_Contracts.py", "Contracts", ":material/description:", Permission.VIEW,
             "Records"),
    PageSpec("decisions", "pages/6_Decisions.py", "Decisions", ":material/gavel:", Permission.VIEW, "Records"),
    PageSpec("engagement", "pages/7_Engagement.py", "Engagement", ":material/groups:", Permission.EDIT_ENGAGEMENT,
             "Parents"),
    PageSpec("insights", "pages/8_Engagement_insights.py", "Engagement insights", ":material/insights:",
             Permission.VIEW, "Parents"),
    PageSpec("costs", "pages/9_Phone_line_costs.py", "Phone-line costs", ":material/call:", Permission.VIEW,
             "Phone line"),
    PageSpec("submission", "pages/10_Submission.py", "Submission pack", ":material/article:", Permission.VIEW,
             "Phone line"),
    PageSpec("users", "pages/11_Users.py", "Users", ":material/manage_accounts:", Permission.MANAGE_USERS,
             "Administration"),
    PageSpec("audit", "pages/12_Audit_log.py", "Audit log", ":material/history:", Permission.READ_AUDIT,
             "Administration"),
    PageSpec("operations", "pages/15_Operations.py", "Operations", ":material/backup:", Permission.MANAGE_USERS,
             "Administration"),
    PageSpec("account", "pages/13_My_account.py", "My account", ":material/person:", Permission.VIEW, "Account"),
    PageSpec("settings", "pages/14_My_settings.py", "My settings", ":material/settings:", Permission.VIEW,
             "Account"),
    PageSpec("accessibility", "pages/16_Accessibility.py", "Accessibility statement", ":material/accessibility:",
             Permission.VIEW, "Help", public=True),
]
PAGE_BY_KEY = {p.key: p for p in PAGES}


def visible_pages(actor: Actor | None) -> list[PageSpec]:
    """Pages the actor's role may open (signed out: the public pages)."""
    if actor is None:
        return [p for p in PAGES if p.public]
    return [p for p in PAGES if actor.can(p.permission)]


def draw_menu(actor: Actor | None) -> None:
    """Sidebar links grouped by section; only pages the role may open."""
    section = None
    for page in visible_pages(actor):
        if page.section != section:
            section = page.section
            st.sidebar.caption(section.upper())
        st.sidebar.page_link(page.path, label=page.label, icon=page.icon)


