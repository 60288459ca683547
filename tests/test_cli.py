"""The `workbook` command line as a new user meets it: --version, a description for every
command, and chapter names given the way the release folders spell them."""
import re

import pytest

from autograder import __version__
from tests.conftest import run

COMMANDS = ["build", "release", "export-gradescope", "check", "grade", "audit"]


def test_version(workbook):
    proc = run(workbook, "--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"workbook {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_what_it_does(workbook, command):
    proc = run(workbook, command, "--help")
    assert proc.returncode == 0, proc.stderr
    between = proc.stdout.split("\n\n")[1]  # usage, blank line, the description
    assert not between.startswith(("positional", "options")), proc.stdout
    assert len(between.split()) >= 8, proc.stdout
    lines = proc.stdout.splitlines() + [""]
    for line, after in zip(lines, lines[1:]):
        helped = re.search(r"\S  +\S", line.strip()) or re.match(r" {6,}\S", after)
        if line.startswith("  -") and not helped:
            pytest.fail(f"`workbook {command}`: {line.strip()} has no help")


def test_check_dir_default_is_described_as_it_behaves(workbook):
    text = " ".join(run(workbook, "check", "--help").stdout.split())
    assert "default: the current folder when it holds them, else the workbook's exercises/" \
        in text


def test_check_takes_the_release_folder_name_too(workbook):
    by_topic = run(workbook, "check", "ch06_products.matmul")
    by_chapter = run(workbook, "check", "ch06.matmul")
    assert by_topic.returncode == by_chapter.returncode == 1
    assert "FAIL matmul" in by_topic.stdout and "no exercise or chapter" not in by_topic.stderr


def test_grade_takes_the_topic_and_names_both_feedback_files(workbook, tmp_path):
    (tmp_path / "nobody").mkdir()
    proc = run(workbook, "grade", tmp_path / "nobody", "--only", "ch06_products", "--out",
               tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("results:") and "feedback/<student>.md and .html" in last
