"""Users, roles and passwords of a store (no Streamlit here: the CLI and the dashboard share it).

Users live in `users.json` beside the store's database, not in it: the CLI must be able to add a
user while the dashboard holds the database open (only one process may write to a DuckDB file).
Passwords are kept as argon2id hashes (argon2-cffi); the file is written atomically with mode 0600.
With no users, the dashboard runs in local single-user mode (no sign-in) and says so.

Roles, each including the one before:
- viewer:  the report pages;
- analyst: also the Data page: upload, undo, delete; the audit log;
- admin:   also the Settings page and the users list.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import audit

USERS_FILE = "users.json"
ROLES = ("viewer", "analyst", "admin")
# What each role may do (an action is allowed from the role named here upwards).
ACTIONS = {"view": "viewer", "load": "analyst", "audit": "analyst", "settings": "admin", "users": "admin"}
MIN_PASSWORD = 10
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# A signed-in session ends after this long without use, and after this long in any case.
IDLE_MINUTES = int(os.environ.get("STOCKLENS_SESSION_IDLE_MINUTES", "60"))
MAX_HOURS = int(os.environ.get("STOCKLENS_SESSION_MAX_HOURS", "12"))
# Failed sign-ins: after this many for one name, that name waits LOCKOUT_SECONDS.
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60

_hasher = PasswordHasher()
# A hash to verify against when the name is unknown, so that the answer takes as long either way.
_DUMMY_HASH = _hasher.hash("stocklens: no such user")
_failures: dict[str, list[float]] = {}
_failures_lock = threading.Lock()


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, action: str) -> bool:
        return can(self.role, action)


def can(role: str, action: str) -> bool:
    return ROLES.index(role) >= ROLES.index(ACTIONS[action])


def users_path(store_dir: str | os.PathLike) -> Path:
    return Path(store_dir) / USERS_FILE


def _read(store_dir) -> dict:
    path = users_path(store_dir)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("users", {})
    except (OSError, ValueError) as exc:
        # A damaged users file must not open the dashboard to everyone: no one signs in.
        raise PermissionError(f"{path} cannot be read ({exc}); fix or remove it with the CLI.") from None


def _write(store_dir, users: dict) -> None:
    path = users_path(store_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{USERS_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"users": users}, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def has_users(store_dir) -> bool:
    return bool(_read(store_dir))


def list_users(store_dir) -> list[dict]:
    return [{"name": n, "role": u["role"], "created_at": u.get("created_at"),
             "password_changed_at": u.get("password_changed_at")}
            for n, u in sorted(_read(store_dir).items())]


def get_user(store_dir, name: str) -> User | None:
    u = _read(store_dir).get(name)
    return User(name, u["role"]) if u else None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def add_user(store_dir, name: str, role: str, password: str, *, actor: str) -> User:
    if not NAME_RE.match(name):
        raise ValueError("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a "
                         "letter or digit")
    if role not in ROLES:
        raise ValueError(f"the role must be one of {', '.join(ROLES)}")
    check_password(password)
    users = _read(store_dir)
    if name in users:
        raise ValueError(f"user {name!r} exists already (change it with `users role` or `users passwd`)")
    users[name] = {"role": role, "hash": _hasher.hash(password), "created_at": _now(),
                   "password_changed_at": _now()}
    _write(store_dir, users)
    audit.record(store_dir, actor, "users.add", name, role=role)
    return User(name, role)


def remove_user(store_dir, name: str, *, actor: str) -> None:
    users = _read(store_dir)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    _refuse_last_admin(users, name, None)
    del users[name]
    _write(store_dir, users)
    audit.record(store_dir, actor, "users.remove", name)


def set_role(store_dir, name: str, role: str, *, actor: str) -> None:
    if role not in ROLES:
        raise ValueError(f"the role must be one of {', '.join(ROLES)}")
    users = _read(store_dir)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    _refuse_last_admin(users, name, role)
    before = users[name]["role"]
    users[name]["role"] = role
    _write(store_dir, users)
    audit.record(store_dir, actor, "users.role", name, before=before, after=role)


def set_password(store_dir, name: str, password: str, *, actor: str) -> None:
    check_password(password)
    users = _read(store_dir)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    users[name]["hash"] = _hasher.hash(password)
    users[name]["password_changed_at"] = _now()
    _write(store_dir, users)
    audit.record(store_dir, actor, "users.password", name)


def _refuse_last_admin(users: dict, name: str, new_role: str | None) -> None:
    """Users exist but no admin is left: nobody could change settings or manage users."""
    admins = [n for n, u in users.items() if u["role"] == "admin"]
    if admins == [name] and new_role != "admin" and len(users) > 1:
        raise ValueError(f"{name!r} is the only admin: make another user admin first")


def locked_out(name: str) -> float:
    """Seconds `name` must still wait after too many failed sign-ins (0: may try)."""
    with _failures_lock:
        recent = [t for t in _failures.get(name, []) if time.time() - t < LOCKOUT_SECONDS]
        _failures[name] = recent
        return LOCKOUT_SECONDS - (time.time() - recent[-MAX_FAILURES]) if len(recent) >= MAX_FAILURES else 0.0


def sign_in(store_dir, name: str, password: str) -> User | None:
    """The user when name and password match (and the name is not locked out), else None.
    Both outcomes are recorded in the audit log."""
    if locked_out(name):
        return None
    record = _read(store_dir).get(name)
    try:
        _hasher.verify(record["hash"] if record else _DUMMY_HASH, password)
        ok = record is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        with _failures_lock:
            _failures.setdefault(name, []).append(time.time())
        audit.record(store_dir, name[:64], "sign_in_failed", name[:64])
        return None
    with _failures_lock:
        _failures.pop(name, None)
    if _hasher.check_needs_rehash(record["hash"]):
        users = _read(store_dir)
        users[name]["hash"] = _hasher.hash(password)
        _write(store_dir, users)
    audit.record(store_dir, name, "sign_in", name)
    return User(name, record["role"])


def session_expired(signed_in_at: float, last_seen: float, now: float | None = None) -> str | None:
    """Why a session signed in at `signed_in_at` and last used at `last_seen` has ended, or None."""
    now = time.time() if now is None else now
    if now - last_seen > IDLE_MINUTES * 60:
        return f"You were signed out after {IDLE_MINUTES} minutes without activity."
    if now - signed_in_at > MAX_HOURS * 3600:
        return f"You were signed out: a session lasts at most {MAX_HOURS} hours."
    return None
