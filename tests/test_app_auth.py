"""The dashboard's sign-in (AppTest of the real app.py): no page without signing in once users
exist, each role sees the pages it may use, sessions end, and local single-user mode says so."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stocklens import audit, auth
from app_helpers import _fresh_streamlit_caches  # noqa: F401 (autouse fixture)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "a long enough one"


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    path = tmp_path / "store"
    monkeypatch.setenv("STOCKLENS_STORE", str(path))
    return path


def _sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()  # the form's only button: Sign in
    return at.run()


def _table(at: AppTest, column: str):
    """The first table (a pandas frame) of the page that has `column` (AppTest keeps no table keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest) -> str:
    return " ".join(e.value for kind in ("caption", "markdown", "info", "error", "success", "title")
                    for e in getattr(at, kind))


def test_no_users_means_local_single_user_mode_that_says_so(store_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Local single-user mode" in _texts(at)
    assert not at.text_input  # no sign-in form
    at.switch_page("pages/settings.py").run()  # the local user may change settings
    assert [t.value for t in at.title] == ["Settings"]


def test_with_users_nothing_shows_before_signing_in(store_dir):
    auth.add_user(store_dir, "alice", "admin", PASSWORD, actor="test")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.value for t in at.title] == ["stocklens"]
    assert not at.sidebar.selectbox  # no month, no filters
    assert [b.label for b in at.button] == ["Sign in"]  # no demo offer, no upload, nothing else
    at = _sign_in(at, "alice", "not the password")
    assert "wrong" in " ".join(e.value for e in at.error)
    assert [t.value for t in at.title] == ["stocklens"]
    at = _sign_in(at, "alice")
    assert not at.exception
    assert "Signed in as alice (admin)" in _texts(at)
    events = [(e["action"], e["user"]) for e in audit.read(store_dir)]
    assert events[:2] == [("sign_in", "alice"), ("sign_in_failed", "alice")]


@pytest.mark.parametrize("role, data_page, settings_page", [
    ("viewer", False, False), ("analyst", True, False), ("admin", True, True)])
def test_each_role_sees_the_pages_it_may_use(store_dir, role, data_page, settings_page):
    auth.add_user(store_dir, "admin1", "admin", PASSWORD, actor="test")
    if role != "admin":
        auth.add_user(store_dir, "user1", role, PASSWORD, actor="test")
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "admin1" if role == "admin" else "user1")
    assert not at.exception  # the empty store's page: a viewer is told to ask for data, not offered uploads
    for page, allowed, title in (("pages/data.py", data_page, "Data"),
                                 ("pages/settings.py", settings_page, "Settings")):
        if allowed:
            at.switch_page(page).run()
            assert not at.exception
            assert title in [t.value for t in at.title]
        else:  # not among the app's pages for this session: no URL or link reaches it
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


def test_a_removed_user_or_an_idle_session_is_signed_out(store_dir):
    auth.add_user(store_dir, "alice", "admin", PASSWORD, actor="test")
    auth.add_user(store_dir, "bob", "analyst", PASSWORD, actor="test")
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "bob")
    assert "Signed in as bob (analyst)" in _texts(at)
    # idle longer than the limit: the next run asks to sign in again, and says why
    from stocklens.ui.auth import _sessions

    _sessions()[at.session_state["_token"]]["last_seen"] = time.time() - auth.IDLE_MINUTES * 60 - 5
    at.run()
    assert [t.value for t in at.title] == ["stocklens"]
    assert "without activity" in " ".join(e.value for e in at.info)
    at = _sign_in(at, "bob")
    assert "Signed in as bob" in _texts(at)
    auth.remove_user(store_dir, "bob", actor="alice")
    at.run()
    assert [t.value for t in at.title] == ["stocklens"]
    assert "removed" in " ".join(e.value for e in at.info)


ORDERS = b"""Order No,Item Code,Order Date,Qty Ordered
SO-1,00412,2025-03-03,10
"""


def test_an_analysts_upload_and_undo_are_in_the_audit_log_under_their_name(store_dir):
    auth.add_user(store_dir, "alice", "admin", PASSWORD, actor="test")
    auth.add_user(store_dir, "bob", "analyst", PASSWORD, actor="alice")
    at = _sign_in(AppTest.from_file(APP, default_timeout=180).run(), "bob")
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("orders_march.csv", ORDERS, "text/csv")]).run()
    next(b for b in at.button if b.label.startswith("Load as")).click().run()
    assert not at.exception
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="undo_btn").click().run()
    assert not at.exception
    changes = [(e["user"], e["action"], e["target"]) for e in audit.read(store_dir)
               if not e["action"].startswith(("sign_", "users."))]
    assert changes == [("bob", "undo", "orders 2025-03"), ("bob", "load", "orders 2025-03")]
    # the Data page shows them, newest first
    table = _table(at, "details")
    assert table[["user", "action", "what"]].values.tolist()[:2] == [
        ["bob", "undid the last load", "orders 2025-03"], ["bob", "loaded a file", "orders 2025-03"]]
    assert table["details"].iloc[1].startswith("orders_march.csv: 1 rows")


def test_a_viewer_on_an_empty_store_is_not_offered_uploads(store_dir):
    auth.add_user(store_dir, "alice", "admin", PASSWORD, actor="test")
    auth.add_user(store_dir, "vic", "viewer", PASSWORD, actor="alice")
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "vic")
    assert not at.exception
    assert "An analyst or admin loads the monthly files" in " ".join(e.value for e in at.info)
    assert [b.label for b in at.button] == ["Sign out"]  # no demo button


def test_admins_see_the_users_on_the_settings_page(store_dir):
    auth.add_user(store_dir, "alice", "admin", PASSWORD, actor="test")
    auth.add_user(store_dir, "vic", "viewer", PASSWORD, actor="alice")
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "alice")
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    users = _table(at, "password_changed_at")
    assert users[["name", "role"]].values.tolist() == [["alice", "admin"], ["vic", "viewer"]]
    assert "hash" not in " ".join(users.columns)
