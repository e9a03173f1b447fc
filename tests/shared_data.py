"""Where the project's shared folder is: beside the repository (../shared), as on the developers'
machines and in CI."""
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")
UCI_DIR = SHARED / "data" / "uci-online-retail"
