"""The SQL files in queries/: loaded by name ("kpis/backlog_totals"), read once per process."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent / "queries"


@cache
def load(name: str) -> str:
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query {name!r} at {path}")
    return path.read_text(encoding="utf-8")


def layer(folder: str) -> list[str]:
    """Names of a layer's definitions (queries/base or queries/intermediate: views and macros), in
    their numbered order."""
    return [f"{folder}/{p.stem}" for p in sorted((QUERIES / folder).glob("*.sql"))]


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def bind(text: str, available: dict) -> dict:
    """The $named parameters a query uses, taken from `available` (DuckDB refuses extra ones)."""
    wanted = set(_PARAM.findall(text))
    missing = wanted - available.keys()
    if missing:
        raise KeyError(f"query needs parameters {sorted(missing)}")
    return {k: available[k] for k in wanted}
