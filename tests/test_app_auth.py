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
    at.session_state["_last_seen"] = time.time() - auth.IDLE_MINUTES * 60 - 5
    at.run()
    assert [t.value for t in at.title] == ["stocklens"]
    assert "without activity" in " ".join(e.value for e in at.info)
    at = _sign_in(at, "bob")
    assert "Signed in as bob" in _texts(at)
    auth.remove_user(store_dir, "bob", actor="alice")
    at.run()
    assert [t.value for t in at.title] == ["stocklens"]
    assert "removed" in " ".join(e.value for e in at.info)
