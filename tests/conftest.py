"""Shared helpers for the workbook's own tests."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*cmd, cwd=REPO, timeout=600, check=False, env=None) -> subprocess.CompletedProcess:
    """Run a command the way a user would, capturing its output as text (``env``: variables
    added to this process's environment)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def workbook():
    return BIN / "workbook"


@pytest.fixture
def python():
    return sys.executable
