"""The SQL of queries/ passes sqlfluff with the project's .sqlfluff (DuckDB dialect, $named
parameters): no comma before `from`, lowercase keywords, and every file parses."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_queries_pass_sqlfluff():
    # a subprocess with 2 processes: linting the ~75 files takes about a minute on this machine
    run = subprocess.run([sys.executable, "-m", "sqlfluff", "lint", "queries", "--processes", "2",
                          "--format", "github-annotation-native", "--disable-progress-bar"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
