"""Users: accounts and roles (administrators)."""
from __future__ import annotations

import streamlit as st

from review.accounts import users
from review.platform.roles import ROLE_LABELS, Role
from ui import data, tables, user_admin_components
from ui.feedback import field_error, write
from ui.page import setup_page

ctx = setup_page("users")
st.title("Users")
st.caption("Accounts and what each may do. Passwords are stored as argon2 hashes; nobody can read them.")

with data.reading() as session:
    frame = users.users_frame(session, ctx.actor)
tables.show(frame.drop(columns=["id", "version", "role", "Email", "Demo account"]), hide_index=True)
user_admin_components.show_waiting_accounts(ctx.actor, frame)

ADD = "add_user"
# The add form's labels by service field: field errors name the field as the form shows it.
ADD_LABELS = {"username": "Username *", "display_name": "Display name *", "role": "Role",
              "password": "Initial password *"}


def _add_field(field: str) -> str:
    return f"{ADD}_{field}"


def _correct(labels: dict[str, str]):
    """The summary of a refused save, naming each field by its label."""
    return lambda exc: "Nothing was saved. Please correct: " + "; ".join(
        f"{labels.get(field, field).rstrip(' *')} ({message})" for field, message in exc.errors.items())


def create_account() -> None:
    """Form callback: create the account, or keep the input and mark the fields to correct."""
    values = {f: st.session_state.get(_add_field(f)) for f in ADD_LABELS}
    created = write(lambda session: users.create_user(session, ctx.actor, values["username"], values["role"],
                                                      values["password"] or "", values["display_name"]),
                    lambda user: f"Account {user.username} created.", form=ADD, invalid=_correct(ADD_LABELS))
    if created:
        for field in ("username", "display_name", "password"):
            st.session_state[_add_field(field)] = ""


CHANGE = "change_user"
CHANGE_LABELS = {"role": "Role", "password": "Reset password (leave empty to keep)"}


def save_account(user_id: int, version: int) -> None:
    """Form callback: save the chosen account's role, active flag and (if typed) new password."""
    state = st.session_state
    password = state.get(f"{CHANGE}_password_{user_id}") or None
    if write(lambda session: users.update_user(session, ctx.actor, user_id, version,
                                               role=state.get(f"{CHANGE}_role_{user_id}"),
                                               active=state.get(f"{CHANGE}_active_{user_id}"), password=password),
             "Account saved.", form=CHANGE, invalid=_correct(CHANGE_LABELS)):
        state[f"{CHANGE}_password_{user_id}"] = ""


left, right = st.columns(2)
with left:
    st.subheader("Add an account")
    with st.form(ADD, clear_on_submit=False):
        st.text_input(ADD_LABELS["username"], help="Lower-case letters, digits, . _ -", key=_add_field("username"))
        field_error(ADD, "username", ADD_LABELS["username"], _add_field("username"))
        st.text_input(ADD_LABELS["display_name"], key=_add_field("display_name"))
        field_error(ADD, "display_name", ADD_LABELS["display_name"], _add_field("display_name"))
        st.selectbox(ADD_LABELS["role"], [r.value for r in Role], format_func=lambda r: ROLE_LABELS[Role(r)],
                     index=3, key=_add_field("role"))
        field_error(ADD, "role", ADD_LABELS["role"], _add_field("role"))
        st.text_input(ADD_LABELS["password"], type="password", key=_add_field("password"),
                      help=f"At least {users.MIN_PASSWORD_LENGTH} characters, not a commonly used password.")
        field_error(ADD, "password", ADD_LABELS["password"], _add_field("password"))
        st.form_submit_button("Create account", type="primary", on_click=create_account)

with right:
    st.subheader("Change an account")
    if frame.empty:
        st.info("No accounts yet.")
    else:
        choice = st.selectbox("Account", frame["id"].tolist(),
                              format_func=lambda i: frame.set_index("id").loc[i, "Username"])
        row = frame.set_index("id").loc[choice]
        with st.form(CHANGE):
            roles = [r.value for r in Role] + ([users.WAITING] if row["role"] == users.WAITING else [])
            st.selectbox(CHANGE_LABELS["role"], roles, index=roles.index(row["role"]),
                         format_func=lambda r: ROLE_LABELS[Role(r)] if r else users.WAITING_LABEL,
                         key=f"{CHANGE}_role_{choice}")
            field_error(CHANGE, "role", CHANGE_LABELS["role"], f"{CHANGE}_role_{choice}")
            st.checkbox("Active (can sign in)", bool(row["Active"]), key=f"{CHANGE}_active_{choice}")
            st.text_input(CHANGE_LABELS["password"], type="password", key=f"{CHANGE}_password_{choice}",
                          disabled=row["Sign-in method"] != "Password",
                          help="Ends every sign-in of this person at their next action.")
            field_error(CHANGE, "password", CHANGE_LABELS["password"], f"{CHANGE}_password_{choice}")
            st.form_submit_button("Save account", on_click=save_account, args=(int(choice), int(row["version"])))
        user_admin_components.show_unlock(ctx.actor, int(choice), row)

user_admin_components.show_local_sign_in_switch(ctx.actor)
