"""Problems found in an upload, phrased so a user can act on them."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    kind: str  # empty | unreadable | missing_column | row_error | month | store
    message: str
    row: int | None = None  # spreadsheet row number (the header is row 1)
    column: str | None = None  # the column as named in the file
    value: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class ImportRefused(Exception):
    """The whole file is refused; nothing of it is stored."""

    def __init__(self, problems: list[Problem], total_row_errors: int | None = None):
        self.problems = problems
        self.total_row_errors = total_row_errors
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = ["File refused, nothing was stored:"]
        lines += [f"- {p.message}" for p in self.problems]
        shown = sum(1 for p in self.problems if p.kind == "row_error")
        if self.total_row_errors and self.total_row_errors > shown:
            lines.append(f"- ... {self.total_row_errors - shown} more row errors (first {shown} shown).")
        return "\n".join(lines)


class StoreError(Exception):
    """The store cannot be used as asked; the message says why and what to do. Nothing changed."""


class StoreBusy(StoreError):
    """Another process holds the store for writing."""


class StoreUnavailable(StoreError):
    """The store path is not a usable stocklens store (a file, not a DuckDB database, no access)."""


class WriteInProgress(StoreError):
    """Another session of this process is writing to the store (a load, undo, delete or settings
    change) and did not finish in the time this one was willing to wait."""
