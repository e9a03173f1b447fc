"""KPI settings (kpi-book defaults), stored with the data so every screen and the CLI agree."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Settings:
    age_bounds: tuple[int, ...] = (30, 60, 90, 180)
    default_promise_days: int = 7
    # carrying rate per year, split into its parts; carrying_rate is their sum (book default 0.25)
    carrying_capital: float = 0.12
    carrying_storage: float = 0.06
    carrying_service: float = 0.03
    carrying_risk: float = 0.04
    frequent_backorder_months: int = 3
    backorder_window_months: int = 12
    excess_months: int = 6
    # replenishment (issue 10): cycle service level (z for safety stock), review period, lead time
    # without a measured or master one, ABC class shares, forecast smoothing
    service_level: float = 0.95
    review_period_days: int = 30
    default_lead_time_days: int = 30
    abc_a: float = 0.80
    abc_b: float = 0.15
    forecast_alpha: float = 0.3
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def carrying_rate(self) -> float:
        return round(self.carrying_capital + self.carrying_storage + self.carrying_service + self.carrying_risk, 10)

    @property
    def age_labels(self) -> list[str]:
        """[30, 60, 90, 180] -> 0-30, 31-60, 61-90, 91-180, 181+"""
        labels, low = [], 0
        for b in self.age_bounds:
            labels.append(f"{low}-{b}")
            low = b + 1
        labels.append(f"{low}+")
        return labels

    def validate(self) -> list[str]:
        errors = []
        b = list(self.age_bounds)
        if not b or any(x <= 0 for x in b) or b != sorted(set(b)):
            errors.append("age bucket bounds must be increasing positive whole days, e.g. 30, 60, 90, 180")
        if self.default_promise_days < 0:
            errors.append("default promise days cannot be negative")
        for part in ("carrying_capital", "carrying_storage", "carrying_service", "carrying_risk"):
            if not 0 <= getattr(self, part) <= 2:
                errors.append(f"{part.replace('_', ' ')} must be a yearly rate between 0 and 2 (0.10 = 10%)")
        if not 1 <= self.backorder_window_months <= 36:
            errors.append("the backorder window must be 1 to 36 months")
        if not 1 <= self.frequent_backorder_months <= self.backorder_window_months:
            errors.append("the frequent-backorder threshold must be between 1 and the window")
        if self.excess_months <= 0:
            errors.append("excess months must be positive")
        if not 0.5 <= self.service_level <= 0.9999:
            errors.append("the service level must be between 0.5 and 0.9999 (0.95 = 95%)")
        if not 0 <= self.review_period_days <= 365:
            errors.append("the review period must be 0 to 365 days")
        if not 1 <= self.default_lead_time_days <= 730:
            errors.append("the default lead time must be 1 to 730 days")
        if not (0 < self.abc_a < 1 and 0 <= self.abc_b and self.abc_a + self.abc_b <= 1):
            errors.append("ABC shares: A above 0 and below 1, B at least 0, A + B at most 1 (0.80 and 0.15)")
        if not 0 < self.forecast_alpha <= 1:
            errors.append("the forecast smoothing alpha must be above 0 and at most 1")
        return errors

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        d["age_bounds"] = list(self.age_bounds)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Settings:
        names = {f.name for f in fields(cls)} - {"extra"}
        kwargs = {k: v for k, v in d.items() if k in names}
        if "age_bounds" in kwargs:
            kwargs["age_bounds"] = tuple(int(x) for x in kwargs["age_bounds"])
        if "carrying_rate" in d and not any(k.startswith("carrying_") and k != "carrying_rate" for k in d):
            # a bare carrying rate (CLI --carrying-rate) keeps the default split's proportions
            base = cls()
            scale = float(d["carrying_rate"]) / base.carrying_rate
            for part in ("carrying_capital", "carrying_storage", "carrying_service", "carrying_risk"):
                kwargs[part] = round(getattr(base, part) * scale, 10)
        return cls(**kwargs)

    def with_rate(self, carrying_rate: float) -> Settings:
        """The same split, scaled to a new total rate."""
        scale = carrying_rate / self.carrying_rate if self.carrying_rate else 0
        return Settings.from_json({**self.to_json(), **{
            p: getattr(self, p) * scale
            for p in ("carrying_capital", "carrying_storage", "carrying_service", "carrying_risk")}})


# How each setting a user enters is read (CLI option text, Settings page widget values).
_WHOLE = ("default_promise_days", "frequent_backorder_months", "backorder_window_months", "excess_months",
          "review_period_days", "default_lead_time_days")
_NUMBER = ("carrying_capital", "carrying_storage", "carrying_service", "carrying_risk", "carrying_rate",
           "service_level", "abc_a", "abc_b", "forecast_alpha")


def parse(raw: dict, base: Settings | None = None) -> tuple[Settings | None, list[str]]:
    """The user's values as Settings, for the CLI and the Settings page alike: `raw` maps setting
    names (and carrying_rate, the yearly total, which scales the four parts in proportion) to text
    or widget values; None or "" keeps `base`'s (default: the KPI book's). Returns (settings, [])
    or (None, the errors, each saying what to enter)."""
    values, errors, rate = (base or Settings()).to_json(), [], None
    for name, value in raw.items():
        if value is None or value == "":
            continue
        text = str(value).strip()
        try:
            if name == "age_bounds":
                parts = text.replace(";", ",").split(",") if isinstance(value, str) else value
                values[name] = [int(str(x).strip()) for x in parts if str(x).strip()]
            elif name in _WHOLE:
                values[name] = value if isinstance(value, int) else int(text)
            elif name == "carrying_rate":
                rate = float(text)
            elif name in _NUMBER:
                values[name] = float(text)
            else:
                raise KeyError(name)
        except ValueError:
            errors.append("the age bucket bounds must be whole days separated by commas, e.g. 30, 60, 90, "
                          f"180, not {text!r}" if name == "age_bounds" else
                          f"{name.replace('_', ' ')} must be a {'whole ' * (name in _WHOLE)}number, not {text!r}")
    if errors:
        return None, errors
    new = Settings.from_json(values)
    new = new if rate is None else new.with_rate(rate)
    return (None, new.validate()) if new.validate() else (new, [])


def load(store) -> Settings:
    row = store.row("select value from settings where key = 'kpi'")
    return Settings() if row is None else Settings.from_json(json.loads(row[0]))


def save(store, settings: Settings, *, actor: str = "local") -> None:
    """Store new settings (one change at a time, recorded in the audit log with what changed). The
    data only: stocklens.service.save_settings also computes the figures with them."""
    from . import audit, results

    errors = settings.validate()
    if errors:
        raise ValueError("; ".join(errors))
    with store.writing(actor, "a settings change"):
        before = load(store).to_json()
        cur = store.cursor()
        try:
            cur.execute("begin transaction")
            cur.execute("insert or replace into settings values ('kpi', $value)",
                        {"value": json.dumps(settings.to_json())})
            cur.execute("update meta set value = value + 1 where key = 'data_version'")
            results.invalidate(cur, None, "settings")  # computed with the old settings
            cur.execute("commit")
        except BaseException:
            cur.execute("rollback")
            raise
        finally:
            cur.close()
        after = settings.to_json()
        changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if changed:
            audit.record(store.path, actor, "settings", ", ".join(changed), changed=changed)
