"""The audit log: who loaded, undid, deleted, changed which setting or user, and when.

One JSON object per line in `audit.jsonl` beside the store's database. A file, not a table: the
CLI manages users while the dashboard holds the database open (only one process may write to a
DuckDB file), and both must be able to record what they did. Lines are appended with O_APPEND in
one write each, so lines of two processes never interleave. A change is recorded right after it
is committed, by the process that made it.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections import deque
from pathlib import Path

AUDIT_FILE = "audit.jsonl"

# What each action means, for the Data page's table.
ACTIONS = {
    "load": "loaded a file",
    "undo": "undid the last load",
    "delete": "deleted a month",
    "settings": "changed settings",
    "demo": "loaded the demo data",
    "users.add": "added a user",
    "users.remove": "removed a user",
    "users.role": "changed a user's role",
    "users.password": "changed a user's password",
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "sign_out": "signed out",
}


def cli_actor() -> str:
    """Who acts from the command line: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a container without passwd entry)
        return "cli"


def record(store_dir: str | os.PathLike, actor: str, action: str, target: str = "", **detail) -> None:
    """Append one event. `detail` holds what changed (file, rows, settings before and after)."""
    event = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "user": actor,
             "action": action, "target": target, "detail": detail}
    line = (json.dumps(event, default=str, ensure_ascii=False) + "\n").encode("utf-8")
    path = Path(store_dir) / AUDIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read(store_dir: str | os.PathLike, limit: int = 500) -> list[dict]:
    """The latest `limit` events, newest first (a damaged line is skipped, not fatal)."""
    path = Path(store_dir) / AUDIT_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", errors="replace") as f:
        tail = deque(f, maxlen=limit)
    events = []
    for line in reversed(tail):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
