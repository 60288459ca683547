"""pytest set-up for the public self-checks: find selfcheck.py, print one line per exercise."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selfcheck import (pytest_configure, pytest_runtest_logreport,  # noqa: E402,F401
                       pytest_terminal_summary)
