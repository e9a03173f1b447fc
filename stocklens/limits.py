"""Size limits for uploads, checked before a file is decoded so a hostile or broken file is refused
in bounded memory and time. Each limit can be raised with an environment variable."""
from __future__ import annotations

import os

from .errors import ImportRefused, Problem

GIB = 1 << 30
# name of the environment variable -> (default, what it limits)
DEFAULTS = {
    "STOCKLENS_MAX_ROWS": (5_000_000, "data rows"),
    "STOCKLENS_MAX_COLUMNS": (1_000, "columns"),
    # A spreadsheet reader allocates its whole used rectangle (rows x columns, empty cells too).
    "STOCKLENS_MAX_CELLS": (100_000_000, "cells (rows x columns of the used range)"),
    "STOCKLENS_MAX_DECODED_BYTES": (GIB, "bytes of decoded text / uncompressed data"),
}
LIST_SHOWN = 20


def get(env: str) -> int:
    raw = os.environ.get(env, "").replace("_", "").replace(",", "").strip()
    if not raw:
        return DEFAULTS[env][0]
    try:
        value = int(raw)
    except ValueError:
        raise ImportRefused([Problem("too_large", f"The environment variable {env}={os.environ[env]!r} is "
                                     "not a whole number; fix or unset it.")]) from None
    return max(value, 1)


def max_rows() -> int:
    return get("STOCKLENS_MAX_ROWS")


def max_columns() -> int:
    return get("STOCKLENS_MAX_COLUMNS")


def max_cells() -> int:
    return get("STOCKLENS_MAX_CELLS")


def max_decoded_bytes() -> int:
    return get("STOCKLENS_MAX_DECODED_BYTES")


def check(name: str, env: str, declared: int, what: str | None = None) -> None:
    """Refuse when `declared` exceeds the limit of `env`; the message says how to raise it."""
    limit = get(env)
    if declared <= limit:
        return
    unit = DEFAULTS[env][1]
    raise ImportRefused([Problem(
        "too_large",
        f"{name} {what or 'has'} {declared:,} {unit}, more than the limit of {limit:,}. If the file is "
        f"genuine, raise the limit with the environment variable {env} (e.g. {env}={_suggest(declared)}) "
        f"and restart stocklens.")])


def _suggest(declared: int) -> int:
    """A round number above `declared`."""
    step = 10 ** max(len(str(declared)) - 1, 0)
    return (declared // step + 1) * step


def name_list(names, shown: int = LIST_SHOWN) -> str:
    """'a, b, c' for short lists, the first `shown` and '… and N more' for long ones."""
    names = list(names)
    text = ", ".join(str(n) for n in names[:shown])
    if len(names) > shown:
        text += f" … and {len(names) - shown:,} more"
    return text
