"""Who may do what (issue 9): users and roles managed from the CLI, argon2 password hashes,
sign-in with lockout, sessions that expire, the audit log, and CLI errors without tracebacks."""
from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT

from stocklens import audit, auth

PASSWORD = "correct horse 9"


def _with_password(store_dir, password, *args) -> subprocess.CompletedProcess:
    """`python -m stocklens users ARGS --password-stdin`, the password on standard input."""
    return subprocess.run([sys.executable, "-m", "stocklens", "users", *args, "--password-stdin",
                           "--store", str(store_dir)], input=password + "\n", cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)


def _add(cli, store_dir, name, role, password=PASSWORD):
    return _with_password(store_dir, password, "add", name, "--role", role)


def test_users_added_from_the_cli_sign_in_with_their_role(cli, tmp_path):
    store_dir = tmp_path / "store"
    assert not auth.has_users(store_dir)  # local single-user mode until a user exists
    r = _add(cli, store_dir, "alice", "admin")
    assert r.returncode == 0, r.stderr
    assert "now asks everyone to sign in" in r.stdout
    assert _add(cli, store_dir, "bob", "viewer").returncode == 0
    assert _add(cli, store_dir, "carol", "analyst").returncode == 0

    # stored as argon2id hashes, never the password; the file readable by its owner only
    raw = (store_dir / "users.json").read_text()
    assert PASSWORD not in raw
    assert json.loads(raw)["users"]["alice"]["hash"].startswith("$argon2id$")
    assert stat.S_IMODE((store_dir / "users.json").stat().st_mode) == 0o600

    assert auth.sign_in(store_dir, "alice", PASSWORD) == auth.User("alice", "admin")
    assert auth.sign_in(store_dir, "alice", PASSWORD + "x") is None
    assert auth.sign_in(store_dir, "nobody", PASSWORD) is None
    bob = auth.sign_in(store_dir, "bob", PASSWORD)
    carol = auth.sign_in(store_dir, "carol", PASSWORD)
    assert (bob.can("view"), bob.can("load"), bob.can("settings")) == (True, False, False)
    assert (carol.can("load"), carol.can("audit"), carol.can("settings"), carol.can("users")) == \
        (True, True, False, False)
    assert auth.User("alice", "admin").can("users")

    listed = cli("users", "list", "--json", "--store", store_dir)
    assert [(u["name"], u["role"]) for u in json.loads(listed.stdout)] == \
        [("alice", "admin"), ("bob", "viewer"), ("carol", "analyst")]

    # role change, password change, removal: from the CLI, each in the audit log
    assert cli("users", "role", "bob", "--role", "analyst", "--store", store_dir).returncode == 0
    assert auth.get_user(store_dir, "bob").role == "analyst"
    r = _with_password(store_dir, "another long one", "passwd", "bob")
    assert r.returncode == 0, r.stderr
    assert auth.sign_in(store_dir, "bob", PASSWORD) is None
    assert auth.sign_in(store_dir, "bob", "another long one").role == "analyst"
    assert cli("users", "remove", "carol", "--store", store_dir).returncode == 0
    assert auth.get_user(store_dir, "carol") is None
    actions = [(e["action"], e["target"]) for e in audit.read(store_dir)
               if e["action"].startswith("users.")]
    assert actions == [("users.remove", "carol"), ("users.password", "bob"), ("users.role", "bob"),
                       ("users.add", "carol"), ("users.add", "bob"), ("users.add", "alice")]
    assert all(e["user"].startswith("cli") for e in audit.read(store_dir) if e["action"].startswith("users."))


def test_user_commands_refuse_bad_requests_with_a_reason(cli, tmp_path):
    store_dir = tmp_path / "store"
    short = _add(cli, store_dir, "alice", "admin", password="short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr and "Traceback" not in short.stderr
    assert _add(cli, store_dir, "alice", "admin").returncode == 0
    again = _add(cli, store_dir, "alice", "viewer")
    assert again.returncode == 2 and "exists already" in again.stderr
    bad_name = _add(cli, store_dir, "<img src=x>", "viewer")
    assert bad_name.returncode == 2 and "user name" in bad_name.stderr
    assert _add(cli, store_dir, "bob", "viewer").returncode == 0
    # the only admin cannot be demoted or removed while others depend on an admin
    last = cli("users", "role", "alice", "--role", "viewer", "--store", store_dir)
    assert last.returncode == 2 and "only admin" in last.stderr
    assert cli("users", "remove", "alice", "--store", store_dir).returncode == 2
    # no terminal and no --password-stdin: a reason, not a hang or a traceback
    r = cli("users", "add", "dave", "--role", "viewer", "--store", store_dir)
    assert r.returncode == 2 and "--password-stdin" in r.stderr


def test_repeated_failed_sign_ins_lock_the_name_for_a_while(tmp_path):
    store_dir = tmp_path / "store"
    auth.add_user(store_dir, "erin", "viewer", PASSWORD, actor="test")
    for _ in range(auth.MAX_FAILURES):
        assert auth.sign_in(store_dir, "erin", "wrong password!") is None
    assert auth.locked_out("erin") > 0
    # even the right password is refused during the lockout
    assert auth.sign_in(store_dir, "erin", PASSWORD) is None
    failed = [e for e in audit.read(store_dir) if e["action"] == "sign_in_failed"]
    assert len(failed) == auth.MAX_FAILURES


def test_sessions_expire_when_idle_and_after_their_maximum_length():
    start = 1_000_000.0
    idle, longest = auth.IDLE_MINUTES * 60, auth.MAX_HOURS * 3600
    assert auth.session_expired(start, start + idle - 1, now=start + idle - 1) is None
    assert "without activity" in auth.session_expired(start, start, now=start + idle + 1)
    assert "at most" in auth.session_expired(start, start + longest, now=start + longest + 1)


def test_loads_undo_delete_and_settings_from_the_cli_are_audited(cli, tmp_path):
    store_dir = tmp_path / "store"
    orders = tmp_path / "orders_2024-03.csv"
    orders.write_text("order_id,sku,order_date,qty_ordered\nSO1,A,2024-03-02,5\n")
    assert cli("load", orders, "--dataset", "orders", "--store", store_dir).returncode == 0
    assert cli("settings", "--promise-days", "10", "--store", store_dir).returncode == 0
    assert cli("undo", "--dataset", "orders", "--month", "2024-03", "--store", store_dir).returncode == 0
    assert cli("load", orders, "--dataset", "orders", "--store", store_dir).returncode == 0
    assert cli("delete", "--dataset", "orders", "--month", "2024-03", "--store", store_dir).returncode == 0
    events = audit.read(store_dir)
    assert [(e["action"], e["target"]) for e in events] == [
        ("delete", "orders 2024-03"), ("load", "orders 2024-03"), ("undo", "orders 2024-03"),
        ("settings", "default_promise_days"), ("load", "orders 2024-03")]
    assert events[-1]["detail"]["file"] == "orders_2024-03.csv"
    assert events[-2]["detail"]["changed"] == {"default_promise_days": [7, 10]}
    assert all(e["user"].startswith("cli") for e in events)


@pytest.mark.parametrize("args, code, says", [
    (["kpis", "--month", "2025-13", "--json"], 2, "not a month of the form YYYY-MM"),
    (["settings", "--age-bounds", "abc"], 2, "whole days separated by commas"),
    (["settings", "--age-bounds", "90,30"], 2, "increasing positive whole days"),
    (["undo", "--dataset", "orders", "--month", "2024-03"], 1, "nothing to undo"),
])
def test_cli_mistakes_get_a_reason_not_a_traceback(cli, tmp_path, args, code, says):
    r = cli(*args, "--store", tmp_path / "store")
    assert r.returncode == code, r.stderr
    assert says in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_a_store_path_that_is_not_a_store_gets_a_reason(cli, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a store")
    r = cli("months", "--store", a_file)
    assert r.returncode == 3 and "is a file, not a folder" in r.stderr and "Traceback" not in r.stderr
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "stocklens.duckdb").write_text("hello")
    r = cli("kpis", "--month", "2024-03", "--json", "--store", fake)
    assert r.returncode == 3 and "cannot be opened as a stocklens store" in r.stderr
    assert "Traceback" not in r.stderr
    assert (fake / "stocklens.duckdb").read_text() == "hello"  # left as it was
