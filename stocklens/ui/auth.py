"""Sign-in for the dashboard: who is using this session, and what their role lets them do.

With users configured (python -m stocklens users add ...), every session signs in first; with
none, the dashboard runs in local single-user mode and says so in the sidebar. A session ends
after auth.IDLE_MINUTES without activity or auth.MAX_HOURS in any case, and at once when its
user is removed (users.json is read on every run: a role change applies at the next click).
"""
from __future__ import annotations

import time

import streamlit as st

from .. import auth
from ..store import resolve_path

LOCAL = auth.User("local", "admin")


def store_dir():
    return resolve_path()


def current_user() -> auth.User:
    """The user of this session (gate() has run first in app.py)."""
    return st.session_state.get("_user") or LOCAL


def actor() -> str:
    """The name the audit log records for this session's changes."""
    return current_user().name


def gate(pages: list) -> auth.User:
    """The signed-in user of this session, or the sign-in form and nothing else (st.stop).

    `pages`: every page of the app. While the form shows they are registered without a menu
    (none is run), so that the page and month of the link the user opened are still the ones
    shown after signing in."""
    where = store_dir()
    try:
        configured = auth.has_users(where)
    except PermissionError as exc:  # a damaged users file keeps everyone out, with the reason
        st.error(str(exc))
        st.stop()
    state = st.session_state
    user = state.get("_user")
    if not configured:
        state["_user"] = LOCAL
        return LOCAL
    if user is not None and user != LOCAL:
        ended = auth.session_expired(state["_signed_in_at"], state["_last_seen"])
        fresh = auth.get_user(where, user.name)
        if ended is None and fresh is not None:
            state["_user"] = fresh
            state["_last_seen"] = time.time()
            return fresh
        _forget(ended or "Your account was removed: sign in with another one.")
    else:
        state.pop("_user", None)  # local mode ended: users were added since
    st.navigation(pages, position="hidden")
    _sign_in_form(where)
    st.stop()


def _forget(reason: str | None) -> None:
    for key in ("_user", "_signed_in_at", "_last_seen"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["_signed_out_reason"] = reason


def _sign_in_form(where) -> None:
    st.title("stocklens")
    reason = st.session_state.pop("_signed_out_reason", None)
    if reason:
        st.info(reason)
    with st.form("sign_in_form"):
        name = st.text_input("User name", key="sign_in_name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        st.caption("Ask an admin for an account (python -m stocklens users add NAME --role viewer).")
        return
    name = name.strip()
    user = auth.sign_in(where, name, password)
    if user is None:
        wait = auth.locked_out(name)
        st.error(f"Too many failed attempts for this name: try again in {wait:.0f} seconds." if wait
                 else "The user name or the password is wrong.")
        return
    now = time.time()
    st.session_state.update({"_user": user, "_signed_in_at": now, "_last_seen": now})
    st.session_state.pop("sign_in_password", None)
    st.rerun()


def account_box() -> None:
    """In the sidebar: who is signed in, with a sign-out button; or the local mode's note."""
    user = current_user()
    with st.sidebar:
        st.divider()
        if user == LOCAL:
            st.caption("Local single-user mode: no sign-in, as no users are configured. Before sharing this "
                       "dashboard, add users: `python -m stocklens users add NAME --role admin`.")
            return
        st.caption(f"Signed in as {user.name} ({user.role}).")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            from .. import audit

            audit.record(store_dir(), user.name, "sign_out", user.name)
            _forget("You are signed out.")
            st.rerun()
