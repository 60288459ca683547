"""The README's promise: its first code block is the two commands, and CI runs exactly them."""
import re

from tests.conftest import REPO


def _first_block() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M).group(1)
    return [ln for ln in block.splitlines() if ln.strip()]


def test_first_code_block_is_two_commands():
    setup, tests = _first_block()
    assert "constraints/cpu.txt" in setup and "python3 -m venv .venv" in setup
    assert "workbook grade samples/submissions/*" in setup
    assert "-e '.[nbgrader]'" in setup  # nbgrader: release/, autograde, the gradebook
    assert "pytest" in tests


def test_ci_runs_the_readme_commands_and_the_stale_check():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    setup, tests = _first_block()
    assert setup in ci and tests in ci
    assert ".venv/bin/workbook build --check" in ci
