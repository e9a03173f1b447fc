"""Sign-in for the dashboard: who is using this session, and what their role lets them do.

With users configured (python -m stocklens users add ...), every session signs in first; with
none, the dashboard runs in local single-user mode and says so in the sidebar. A session ends
after auth.IDLE_MINUTES without activity or auth.MAX_HOURS in any case, and at once when its
user is removed (users.json is read on every run: a role change applies at the next click).
Sessions are kept in the server process and found again from a cookie holding a random token,
so a reload or a second tab stays signed in; a server restart signs everyone out.
"""
from __future__ import annotations

import secrets
import time

import streamlit as st

from .. import auth
from ..store import resolve_path
from .components import md_escape

LOCAL = auth.User("local", "admin")


def store_dir():
    return resolve_path()


def current_user() -> auth.User:
    """The user of this session (gate() has run first in app.py)."""
    return st.session_state.get("_user") or LOCAL


def actor() -> str:
    """The name the audit log records for this session's changes."""
    return current_user().name


def require(action: str) -> None:
    """A page for one role and up: anyone else sees why, and nothing of it (app.py already leaves
    such pages out of their navigation; this keeps a page safe whichever way it is run)."""
    user = current_user()
    if not user.can(action):
        st.error(f"Your role ({user.role}) cannot use this page: it needs {auth.ACTIONS[action]} or above.")
        st.stop()


COOKIE = "stocklens_session"


@st.cache_resource(show_spinner=False)
def _sessions() -> dict[str, dict]:
    """The signed-in sessions of this server process: token -> {name, signed_in_at, last_seen}.
    A browser keeps its token in a cookie, so that a reload or a new tab stays signed in; a
    restart of the server signs everyone out."""
    return {}


def _session() -> tuple[str | None, dict | None]:
    """This browser's session: from this Streamlit session's state, else from its cookie."""
    token = st.session_state.get("_token") or st.context.cookies.get(COOKIE)
    found = _sessions().get(token) if token else None
    return (token, found) if found else (None, None)


def _set_cookie(token: str | None) -> None:
    """Write (or, with None, clear) the session cookie in the browser. The token is ours
    (secrets.token_urlsafe: letters, digits, '-' and '_'), never text from a user."""
    value, age = (token, auth.MAX_HOURS * 3600) if token else ("", 0)
    st.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={age}; SameSite=Strict'"
            " + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


def gate(pages: list) -> auth.User:
    """The signed-in user of this session, or the sign-in form and nothing else (st.stop).

    `pages`: every page of the app. While the form shows they are registered without a menu
    (none is run), so that the page and month of the link the user opened are still the ones
    shown after signing in."""
    where = store_dir()
    try:
        configured = auth.has_users(where)
    except PermissionError as exc:  # a damaged users file keeps everyone out, with the reason
        st.error(md_escape(exc))
        st.stop()
    state = st.session_state
    if not configured:
        state["_user"] = LOCAL
        return LOCAL
    state.pop("_user", None) if state.get("_user") == LOCAL else None  # users were added since
    token, session = _session()
    if session is not None:
        ended = auth.session_expired(session["signed_in_at"], session["last_seen"])
        fresh = auth.get_user(where, session["name"])
        if ended is None and fresh is not None:
            session["last_seen"] = time.time()
            state.update({"_user": fresh, "_token": token})
            return fresh
        _forget(token, ended or "Your account was removed: sign in with another one.")
    st.navigation(pages, position="hidden")
    user = _sign_in_form(where)
    if user is None:
        st.stop()
    return user


def _forget(token: str | None, reason: str | None) -> None:
    _sessions().pop(token, None)
    for key in ("_user", "_token"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["_signed_out_reason"] = reason


def _sign_in_form(where) -> auth.User | None:
    """The sign-in form; the user once name and password match (the form is then cleared and
    this run goes on to draw the page the link asked for)."""
    slot = st.empty()
    with slot.container():
        st.title("stocklens")
        reason = st.session_state.pop("_signed_out_reason", None)
        if reason:
            st.info(md_escape(reason))
        if st.context.cookies.get(COOKIE):  # a cookie of an ended session: clear it
            _set_cookie(None)
        with st.form("sign_in_form"):
            name = st.text_input("User name", key="sign_in_name", autocomplete="username")
            password = st.text_input("Password", type="password", key="sign_in_password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
        if not submitted:
            st.caption("Ask an admin for an account (python -m stocklens users add NAME --role viewer).")
            return None
        name = name.strip()
        user = auth.sign_in(where, name, password)
        if user is None:
            wait = auth.locked_out(name)
            st.error(f"Too many failed attempts for this name: try again in {wait:.0f} seconds." if wait
                     else "The user name or the password is wrong.")
            return None
    slot.empty()
    token = secrets.token_urlsafe(32)
    now = time.time()
    _sessions()[token] = {"name": user.name, "signed_in_at": now, "last_seen": now}
    st.session_state.update({"_user": user, "_token": token})
    st.session_state.pop("sign_in_password", None)
    _set_cookie(token)
    return user


def account_box() -> None:
    """In the sidebar: who is signed in, with a sign-out button; or the local mode's note."""
    user = current_user()
    with st.sidebar:
        st.divider()
        if user == LOCAL:
            st.caption("Local single-user mode: no sign-in, as no users are configured. Before sharing this "
                       "dashboard, add users: `python -m stocklens users add NAME --role admin`.")
            return
        st.caption(f"Signed in as {md_escape(user.name)} ({user.role}).")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            from .. import audit

            audit.record(store_dir(), user.name, "sign_out", user.name)
            _forget(st.session_state.get("_token"), "You are signed out.")
            st.rerun()


def _detail(event: dict) -> str:
    """One line of what an audit event changed, for the table."""
    d = event.get("detail") or {}
    if event["action"] == "load":
        replaced = f", replacing load {d['replaced_load_id']}" if d.get("replaced_load_id") else ""
        return f"{d.get('file')}: {d.get('rows', 0):,} rows (load {d.get('load_id')}{replaced})"
    if event["action"] == "settings":
        return "; ".join(f"{k}: {before} → {after}" for k, (before, after) in (d.get("changed") or {}).items())
    if event["action"] == "users.role":
        return f"{d.get('before')} → {d.get('after')}"
    return ", ".join(f"{k} {v}" for k, v in d.items() if v is not None)


def audit_panel(limit: int = 300) -> None:
    """The Data page's record of who changed what, newest first (stocklens.audit)."""
    import polars as pl

    from .. import audit

    st.subheader("Audit log")
    sign_ins = st.toggle("Show sign-ins", key="audit_sign_ins",
                         help="Signing in and out, and failed attempts, are recorded too.")
    events = [e for e in audit.read(store_dir(), limit)
              if sign_ins or not e["action"].startswith("sign_")]
    if not events:
        st.caption("No changes recorded yet.")
        return
    frame = pl.DataFrame({
        "when": [e["at"] for e in events], "user": [e["user"] for e in events],
        "action": [audit.ACTIONS.get(e["action"], e["action"]) for e in events],
        "what": [e.get("target", "") for e in events], "details": [_detail(e) for e in events],
    }).with_columns(pl.col("when").str.to_datetime(time_zone="UTC"))
    st.dataframe(frame, hide_index=True, key="audit_table", width="stretch", placeholder="", column_config={
        "when": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "user": st.column_config.TextColumn("Who"), "action": st.column_config.TextColumn("Did"),
        "what": st.column_config.TextColumn("What"), "details": st.column_config.TextColumn("Details"),
    })
    st.caption(f"The latest {limit} events; the whole log is {audit.AUDIT_FILE} in the store folder.")


def users_panel() -> None:
    """The Settings page's list of users (admins only); users are managed from the CLI."""
    import polars as pl

    st.subheader("Users")
    users = auth.list_users(store_dir())
    if not users:
        st.caption("No users: the dashboard runs in local single-user mode, without sign-in.")
    else:
        st.dataframe(pl.DataFrame(users).select("name", "role", "created_at", "password_changed_at"),
                     hide_index=True, key="users_table", column_config={
                         "name": "User", "role": "Role", "created_at": "Added (UTC)",
                         "password_changed_at": "Password changed (UTC)"})
    st.caption("Roles: viewer (the report pages), analyst (also the Data page: uploads, undo, delete, the audit "
               "log), admin (also settings and this list). Manage users on the server: `python -m stocklens users "
               "add NAME --role analyst`, `users passwd NAME`, `users role NAME --role admin`, `users remove NAME`.")
