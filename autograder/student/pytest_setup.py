"""pytest set-up for the public self-checks: find selfcheck.py, print one line per exercise."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selfcheck import (pytest_collection_modifyitems, pytest_configure,  # noqa: E402,F401
                       pytest_runtest_logreport, pytest_terminal_summary)
