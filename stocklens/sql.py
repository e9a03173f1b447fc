"""The SQL files in queries/: loaded by name ("kpis/backlog_totals"), read once per process."""
from __future__ import annotations

from functools import cache
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent / "queries"


@cache
def load(name: str) -> str:
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query {name!r} at {path}")
    return path.read_text(encoding="utf-8")


def staging() -> list[str]:
    """Names of the staging definitions (views and table macros), in their numbered order."""
    return [f"staging/{p.stem}" for p in sorted((QUERIES / "staging").glob("*.sql"))]
