"""Settings: one parser for the CLI's text and the Settings page's widget values, with errors a
user can act on, and one save path (stocklens.service.save_settings) that computes the standard
view's figures with the new settings, so that the first view after a change reads stored figures."""
from __future__ import annotations

from app_helpers import _fresh_streamlit_caches, open_page  # noqa: F401 (autouse fixture)
from stocklens import kpis, results, service, settings
from stocklens.settings import Settings, parse

ORDERS = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date,promised_date\n"


def test_cli_text_is_parsed_and_a_total_rate_scales_the_parts():
    new, errors = parse({"age_bounds": "10, 20", "default_promise_days": "5", "carrying_rate": "0.5",
                         "excess_months": None})
    assert errors == []
    # 0.5 is twice the book's 0.25: each part doubled (0.12, 0.06, 0.03, 0.04)
    assert (new.carrying_capital, new.carrying_storage, new.carrying_service, new.carrying_risk) == \
        (0.24, 0.12, 0.06, 0.08)
    assert (new.age_bounds, new.default_promise_days, new.excess_months) == ((10, 20), 5, 6)


def test_page_values_keep_the_settings_the_page_does_not_show():
    base = Settings(service_level=0.9, abc_a=0.7)
    new, errors = parse({"age_bounds": "30; 60", "carrying_capital": 0.2, "backorder_window_months": 6}, base)
    assert errors == []
    assert (new.age_bounds, new.carrying_capital, new.backorder_window_months) == ((30, 60), 0.2, 6)
    assert (new.service_level, new.abc_a) == (0.9, 0.7)  # not reset to the book's 0.95 and 0.80


def test_errors_say_what_to_enter():
    assert parse({"age_bounds": "30, sixty", "default_promise_days": "7.5"}) == (None, [
        "the age bucket bounds must be whole days separated by commas, e.g. 30, 60, 90, 180, not '30, sixty'",
        "default promise days must be a whole number, not '7.5'"])
    assert parse({"age_bounds": "90,30"}) == (None, [
        "age bucket bounds must be increasing positive whole days, e.g. 30, 60, 90, 180"])
    assert parse({"carrying_rate": "a lot"}) == (None, ["carrying rate must be a number, not 'a lot'"])


def test_a_settings_save_computes_the_figures_with_the_new_settings(store, tmp_path):
    # ordered 01-10, nothing shipped, no promised date: due 01-10 + promise days
    (tmp_path / "o.csv").write_text(ORDERS + "C1,A,2024-01-10,8,0,,\n")
    service.load_file(store, tmp_path / "o.csv", dataset="orders", month="2024-01")  # default settings'
    service.save_settings(store, Settings(default_promise_days=30))  # due 02-09: not past due at 01-31
    stored = store.query("select query, report_month, count(distinct params_key) as views "
                         "from stored_results group by all")
    assert set(stored.select("query", "report_month").iter_rows()) == \
        {(q, "2024-01") for q in results.MONTH_GRAIN + results.MONTH_AGGREGATES}
    assert set(stored["views"]) == {1}  # the new settings' only: the default settings' are forgotten
    ctx = kpis.Context("2024-01", settings.load(store))
    assert kpis.run(store, "backlog_totals", ctx)["past_due_units"].item() == 0


def test_the_cli_parses_through_the_same_function_and_saves_through_the_service(cli, tmp_path):
    store_dir = tmp_path / "store"
    (tmp_path / "o.csv").write_text(ORDERS + "C1,A,2024-01-10,8,0,,\n")
    assert cli("load", tmp_path / "o.csv", "--dataset", "orders", "--store", store_dir).returncode == 0
    refused = cli("settings", "--promise-days", "a week", "--store", store_dir)
    assert refused.returncode == 2
    assert "settings not saved: default promise days must be a whole number, not 'a week'" in refused.stderr
    assert cli("settings", "--promise-days", "30", "--store", store_dir).returncode == 0
    from stocklens.store import Store

    with Store(store_dir, read_only=True) as s:
        assert settings.load(s).default_promise_days == 30
        assert s.query("select count(distinct report_month) from stored_results "
                       "where query = 'backlog_totals'").item() == 1  # computed by the save


def test_the_replenishment_settings_are_set_from_the_cli_and_checked(cli, tmp_path):
    store_dir = tmp_path / "store"
    done = cli("settings", "--service-level", "0.98", "--review-days", "14", "--lead-time-days", "45",
               "--abc-a", "0.7", "--abc-b", "0.2", "--forecast-alpha", "0.5", "--json", "--store", store_dir)
    assert done.returncode == 0, done.stderr
    import json

    shown = json.loads(done.stdout[done.stdout.index("{"):])
    assert {k: shown[k] for k in ("service_level", "review_period_days", "default_lead_time_days", "abc_a",
                                  "abc_b", "forecast_alpha")} == {
        "service_level": 0.98, "review_period_days": 14, "default_lead_time_days": 45, "abc_a": 0.7,
        "abc_b": 0.2, "forecast_alpha": 0.5}
    refused = cli("settings", "--abc-b", "0.4", "--store", store_dir)  # 0.7 + 0.4 > 1
    assert refused.returncode == 2
    assert "ABC shares: A above 0 and below 1, B at least 0, A + B at most 1" in refused.stderr


def test_the_settings_page_sets_the_replenishment_settings(monkeypatch, tmp_path):
    from stocklens.store import Store

    monkeypatch.setenv("STOCKLENS_STORE", str(tmp_path / "store"))
    at = open_page("pages/settings.py")
    assert at.number_input(key="set_service_level").value == 0.95  # the book's defaults shown
    at.number_input(key="set_service_level").set_value(0.9)
    at.number_input(key="set_lead_time").set_value(60)
    at.number_input(key="set_abc_a").set_value(0.6)
    at.button(key="save_settings").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = settings.load(Store(tmp_path / "store"))  # (the page's store is open in this process)
    assert (saved.service_level, saved.default_lead_time_days, saved.abc_a) == (0.9, 60, 0.6)
    assert (saved.review_period_days, saved.abc_b, saved.forecast_alpha) == (30, 0.15, 0.3)  # untouched
