"""Users: accounts and roles (administrators)."""
from __future__ import annotations

import streamlit as st

from review.accounts import users
from review.platform.roles import ROLE_LABELS, Role
from ui import data, tables
from ui.feedback import clear_field_errors, field_error, flash, guarded
from ui.page import setup_page

ctx = setup_page("users")
st.title("Users")
st.caption("Accounts and what each may do. Passwords are stored as argon2 hashes; nobody can read them.")

with data.reading() as session:
    frame = users.users_frame(session, ctx.actor)
tables.show(frame.drop(columns=["id", "version", "role"]), hide_index=True)

left, right = st.columns(2)
with left:
    st.subheader("Add an account")
    form = "add_user"
    with st.form(form, clear_on_submit=False):
        username = st.text_input("Username *", help="Lower-case letters, digits, . _ -")
        field_error(form, "username")
        display_name = st.text_input("Display name *")
        field_error(form, "display_name")
        role = st.selectbox("Role", [r.value for r in Role], format_func=lambda r: ROLE_LABELS[Role(r)], index=3)
        password = st.text_input("Initial password *", type="password",
                                 help=f"At least {users.MIN_PASSWORD_LENGTH} characters.")
        field_error(form, "password")
        if st.form_submit_button("Create account", type="primary"):
            created = False
            with guarded(form), data.writing() as session:
                users.create_user(session, ctx.actor, username, role, password, display_name)
                created = True
            if created:
                clear_field_errors(form)
                flash(f"Account {username} created.")
                st.rerun()

with right:
    st.subheader("Change an account")
    if frame.empty:
        st.info("No accounts yet.")
    else:
        choice = st.selectbox("Account", frame["id"].tolist(),
                              format_func=lambda i: frame.set_index("id").loc[i, "Username"])
        row = frame.set_index("id").loc[choice]
        with st.form("change_user"):
            roles = [r.value for r in Role]
            new_role = st.selectbox("Role", roles, index=roles.index(row["role"]),
                                    format_func=lambda r: ROLE_LABELS[Role(r)])
            active = st.checkbox("Active (can sign in)", bool(row["Active"]))
            new_password = st.text_input("New password (leave empty to keep)", type="password")
            if st.form_submit_button("Save account"):
                saved = False
                with guarded("change_user"), data.writing() as session:
                    users.update_user(session, ctx.actor, int(choice), int(row["version"]), role=new_role,
                                      active=active, password=new_password or None)
                    saved = True
                if saved:
                    flash("Account saved.")
                    st.rerun()
