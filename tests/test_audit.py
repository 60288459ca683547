"""Acceptance: every grader rejects known-wrong answers (naming the mistake) and accepts the
alternative correct ones; `workbook audit` reports it and fails when a grader is fooled."""
import pytest

from autograder import audit as audit_mod
from solutions.registry import select
from tests.conftest import run
from tests.mutants import Mutant


@pytest.fixture(scope="module")
def rows():
    return {r.exercise_id: r for r in audit_mod.audit(None)}


@pytest.mark.parametrize("exercise", [e.id for e in select(None)])
def test_grader_rejects_wrong_and_accepts_right(rows, exercise):
    row = rows[exercise]
    assert row.wrong >= 3, f"{exercise}: only {row.wrong} wrong implementations"
    assert row.correct >= 1, f"{exercise}: no alternative correct implementation"
    assert row.ok, "\n".join(row.problems)


def test_audit_cli_prints_counts_and_exits_zero(workbook):
    proc = run(workbook, "audit", "ch06.trace", "ch13.causal_mask")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ch06.trace" in proc.stdout and "wrong implementations rejected" in proc.stdout


def test_audit_fails_when_a_wrong_answer_passes(monkeypatch, capsys):
    import torch

    fooled = Mutant("ch06.trace", lambda m: torch.diagonal(m).sum(), "anything")
    monkeypatch.setattr(audit_mod, "_mutants", lambda: [fooled])
    assert audit_mod.main(["ch06.trace"]) == 1
    assert "was accepted" in capsys.readouterr().out
