"""Users: accounts and roles (administrators)."""
from __future__ import annotations

import streamlit as st

from review.accounts import users
from review.platform.roles import ROLE_LABELS, Role
from ui import data
from ui.feedback import field_error, write
from ui.page import setup_page

ctx = setup_page("users")
st.title("Users")
st.caption("Accounts and what each may do. Passwords are stored as argon2 hashes; nobody can read them.")

with data.reading() as session:
    frame = users.users_frame(session, ctx.actor)
st.dataframe(frame.drop(columns=["id", "version", "role"]), hide_index=True)

ADD_LABELS = {"username": "Username", "display_name": "Display name", "role": "Role", "password": "Initial password"}
CHANGE_LABELS = {"role": "Role", "active": "Active", "password": "New password"}


def named(labels: dict[str, str]):
    """The 'nothing saved' message naming each field by its label (the messages sit beside the fields)."""
    return lambda exc: ("Nothing was saved. Please correct "
                        + ", ".join(f"'{labels.get(f, f)}'" for f in exc.errors) + " (marked below).")


def create_account() -> None:
    v = {k: st.session_state.get(f"add_user_{k}") for k in ("username", "role", "password", "display_name")}
    write(lambda session: users.create_user(session, ctx.actor, v["username"], v["role"], v["password"],
                                            v["display_name"]),
          f"Account {v['username']} created.", form="add_user", invalid=named(ADD_LABELS))


def change_account(user_id: int, version: int) -> None:
    v = {k: st.session_state.get(f"change_user_{user_id}_{version}_{k}") for k in ("role", "active", "password")}
    write(lambda session: users.update_user(session, ctx.actor, user_id, version, role=v["role"], active=v["active"],
                                            password=v["password"] or None),
          "Account saved.", form="change_user", invalid=named(CHANGE_LABELS))


left, right = st.columns(2)
with left:
    st.subheader("Add an account")
    form = "add_user"
    with st.form(form, clear_on_submit=False):
        st.text_input("Username *", help="Lower-case letters, digits, . _ -", key="add_user_username")
        field_error(form, "username")
        st.text_input("Display name *", key="add_user_display_name")
        field_error(form, "display_name")
        st.selectbox("Role", [r.value for r in Role], format_func=lambda r: ROLE_LABELS[Role(r)], index=3,
                     key="add_user_role")
        field_error(form, "role")
        st.text_input("Initial password *", type="password", help=f"At least {users.MIN_PASSWORD_LENGTH} characters.",
                      key="add_user_password")
        field_error(form, "password")
        st.form_submit_button("Create account", type="primary", on_click=create_account)

with right:
    st.subheader("Change an account")
    if frame.empty:
        st.info("No accounts yet.")
    else:
        choice = st.selectbox("Account", frame["id"].tolist(),
                              format_func=lambda i: frame.set_index("id").loc[i, "Username"])
        row = frame.set_index("id").loc[choice]
        prefix = f"change_user_{choice}_{row['version']}_"  # another account (or version) starts afresh
        with st.form("change_user"):
            roles = [r.value for r in Role]
            st.selectbox("Role", roles, index=roles.index(row["role"]), format_func=lambda r: ROLE_LABELS[Role(r)],
                         key=prefix + "role")
            field_error("change_user", "role")
            st.checkbox("Active (can sign in)", bool(row["Active"]), key=prefix + "active")
            field_error("change_user", "active")
            st.text_input("New password (leave empty to keep)", type="password", key=prefix + "password")
            field_error("change_user", "password")
            st.form_submit_button("Save account", on_click=change_account, args=(int(choice), int(row["version"])))
