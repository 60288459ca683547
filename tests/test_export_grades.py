"""`workbook export-grades`: the graded class as the CSV Canvas or Moodle imports.

A synthetic batch (result JSONs written here, no grading): alice and bob are in the roster,
dave was graded but is not in it, erin is in the roster but has no result.
"""
import csv
import io
import json

import pytest

from autograder.cli import main
from tests.test_cli import test_every_command_says_what_it_does as says_what_it_does

CH06 = "ch06 Products, norms and similarity"
CH13 = "ch13 Attention"
# (id, max_score) and per student the scores
EXERCISES = [("ch06.dot_product", 1.0), ("ch06.matmul", 2.0), ("ch13.attention_scores", 3.0),
             ("ch13.causal_self_attention", 4.0)]
SCORES = {"alice": [1.0, 2.0, 1.5, 4.0], "bob": [0.0, 1.0, 0.0, 2.0 / 3.0],
          "dave": [1.0, 0.0, 3.0, 0.0]}


def result(student, scores):
    return {"student": student, "submission": f"/subs/{student}", "graded_at": "2026-11-30",
            "workbook_version": "0.1.0", "device": "cpu", "score": sum(scores),
            "max_score": sum(m for _, m in EXERCISES), "isolation": "audit-hooks",
            "seconds": 1.0,
            "exercises": [{"id": i, "score": s, "max_score": m,
                           "status": "passed" if s == m else "failed", "checks": []}
                          for (i, m), s in zip(EXERCISES, scores)]}


@pytest.fixture
def graded(tmp_path):
    out = tmp_path / "graded"
    out.mkdir()
    for student, scores in SCORES.items():
        (out / f"{student}.json").write_text(json.dumps(result(student, scores)))
    (out / "grades.csv").write_text("student,score\n")  # the batch's own files are ignored
    return out


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "student,name,id,sis_user_id,sis_login_id,section,email,idnumber\n"
        "alice,\"Liddell, Alice\",101,S-1,aliddell,Lab A,alice@uni.edu,2001\n"
        "bob,\"Builder, Bob\",102,S-2,bbuilder,Lab B,bob@uni.edu,2002\n"
        "erin,\"Eagle, Erin\",105,S-5,eeagle,Lab A,erin@uni.edu,2005\n")
    return path


def rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_layout_matches_canvas_export(graded, roster, capsys):
    assert main(["export-grades", str(graded), "--format", "canvas", "--roster",
                 str(roster)]) == 1  # 1: a graded student is not in the roster
    out, err = capsys.readouterr()
    table = rows(graded / "gradebook-canvas.csv")
    # the header and the Points Possible row exactly as Canvas's GradebookExporter writes them
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", CH06, CH13]
    assert table[1] == ["    Points Possible", "", "", "", "", "3.00", "7.00"]
    assert b"\r\n" in (graded / "gradebook-canvas.csv").read_bytes()
    by_name = {r[0]: r for r in table[2:]}
    assert by_name["Liddell, Alice"] == ["Liddell, Alice", "101", "S-1", "aliddell", "Lab A",
                                         "3", "5.5"]
    assert by_name["Builder, Bob"][5:] == ["1", "0.67"]  # 2/3 with Canvas's two decimals
    assert by_name["Eagle, Erin"][5:] == ["", ""]  # no result: empty, never 0
    assert len(table) == 2 + 3 and not any("dave" in c for r in table for c in r)
    assert "not in the roster" in err and "dave" in err
    assert "no result (empty grade, not 0): Eagle, Erin" in err
    assert "3 graded, 1 not in the roster, 1 in the roster without a result" in out


def test_canvas_total_column(graded, roster, tmp_path):
    target = tmp_path / "total.csv"
    main(["export-grades", str(graded), "--format", "canvas", "--roster", str(roster),
          "--columns", "total", "--out", str(target)])
    table = rows(target)
    assert table[0][5:] == ["Workbook total"] and table[1][5:] == ["10.00"]
    totals = {r[0]: r[5] for r in table[2:]}
    assert totals == {"Liddell, Alice": "8.5", "Builder, Bob": "1.67", "Eagle, Erin": ""}


def test_chapter_columns_sum_to_the_total(graded, roster, tmp_path):
    main(["export-grades", str(graded), "--format", "csv"])  # no roster needed
    table = rows(graded / "gradebook.csv")
    assert table[0] == ["student", "total", CH06, CH13]
    for student, total, *chapters in table[1:]:
        scores = SCORES[student]
        assert float(chapters[0]) == pytest.approx(scores[0] + scores[1], abs=0.005)
        assert float(chapters[1]) == pytest.approx(scores[2] + scores[3], abs=0.005)
        assert float(total) == pytest.approx(sum(scores), abs=0.005)
    assert [r[0] for r in table[1:]] == ["alice", "bob", "dave"]


def test_moodle_columns(graded, roster, capsys):
    assert main(["export-grades", str(graded), "--format", "moodle", "--roster",
                 str(roster)]) == 1
    err = capsys.readouterr().err
    table = rows(graded / "gradebook-moodle.csv")
    assert table[0] == ["Email address", CH06, CH13]  # one identifier, then the grade items
    assert table[1:] == [["alice@uni.edu", "3", "5.5"], ["bob@uni.edu", "1", "0.67"],
                         ["erin@uni.edu", "-", "-"]]  # "-": Moodle's own "no grade"
    assert "dave" in err
    main(["export-grades", str(graded), "--format", "moodle", "--roster", str(roster),
          "--moodle-id", "idnumber", "--columns", "total"])
    table = rows(graded / "gradebook-moodle.csv")
    assert table[0] == ["ID number", "Workbook total"]
    assert table[1] == ["2001", "8.5"]


def test_roster_is_required_for_an_lms(graded, capsys):
    assert main(["export-grades", str(graded), "--format", "canvas"]) == 2
    err = capsys.readouterr().err
    assert "--format canvas needs --roster FILE" in err
    assert not (graded / "gradebook-canvas.csv").exists()


def test_canvas_gradebook_export_as_roster(graded, tmp_path, capsys):
    """Canvas's own export: matched by SIS Login ID (here the workbook's student ids), its
    Points Possible row and Test Student skipped, an existing column reused with its id."""
    export = tmp_path / "canvas_export.csv"
    export.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,ch13 Attention (4242),Current Score\n"
        "    Points Possible,,,,,7.00,(read only)\n"
        "\"Liddell, Alice\",101,S-1,alice,Lab A,,\n"
        "\"Builder, Bob\",102,S-2,BOB,Lab B,,\n"
        "\"Dodo, Dave\",104,S-4,dave,Lab B,,\n"
        "\"Student, Test\",999,,,Lab A,,\n")
    assert main(["export-grades", str(graded), "--format", "canvas", "--roster",
                 str(export)]) == 0
    table = rows(graded / "gradebook-canvas.csv")
    assert table[0][5:] == [CH06, "ch13 Attention (4242)"]
    assert [r[3] for r in table[2:]] == ["alice", "BOB", "dave"]
    assert table[4][5:] == ["1", "3"]
    assert "Student, Test" not in {r[0] for r in table}


def test_bad_input_is_a_clear_error(tmp_path, roster, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export-grades", str(empty), "--format", "csv"]) == 2
    assert "no result files" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("colour,size\nred,3\n")
    (empty / "a.json").write_text(json.dumps(result("a", [1, 1, 1, 1])))
    assert main(["export-grades", str(empty), "--format", "canvas", "--roster",
                 str(bad)]) == 2
    assert "no column names the student" in capsys.readouterr().err


def test_help_says_what_it_does(workbook):
    says_what_it_does(workbook, "export-grades")


def test_moodle_never_writes_a_row_without_its_identifier(graded, tmp_path, capsys):
    """Moodle gives a row with an empty identifier the previous row's user: bob (no email)
    is left out and listed, not written blank."""
    roster = tmp_path / "emails.csv"
    roster.write_text("student,email\nalice,alice@uni.edu\nbob,\ndave,dave@uni.edu\n")
    assert main(["export-grades", str(graded), "--format", "moodle", "--roster",
                 str(roster)]) == 1
    out, err = capsys.readouterr()
    table = rows(graded / "gradebook-moodle.csv")
    assert [r[0] for r in table] == ["Email address", "alice@uni.edu", "dave@uni.edu"]
    assert "no Moodle identifier (email / ID number) in the roster" in err and "bob" in err
    assert "1 without a Moodle identifier" in out


@pytest.mark.parametrize("sep", [";", "\t"])
def test_roster_saved_by_excel_with_semicolons(graded, tmp_path, sep):
    """Excel where the comma is the decimal separator saves "CSV" with semicolons (and a BOM,
    CRLF): the roster is read all the same."""
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeffstudent;name;email\r\nalice;Liddell, Alice;alice@uni.edu\r\n"
                     "bob;Builder, Bob;bob@uni.edu\r\n".replace(";", sep).encode("utf-8"))
    assert main(["export-grades", str(graded), "--format", "moodle", "--roster",
                 str(path)]) == 1  # dave is not in it
    table = rows(graded / "gradebook-moodle.csv")
    assert table[0] == ["Email address", CH06, CH13]
    assert table[1:] == [["alice@uni.edu", "3", "5.5"], ["bob@uni.edu", "1", "0.67"]]


def test_canvas_export_with_a_manual_posting_row(graded, tmp_path, capsys):
    """Canvas writes a "Manual Posting" row above Points Possible when an assignment's grades
    are posted manually (GradebookExporter#hidden_assignment_text): it is not a student."""
    export = tmp_path / "canvas_export.csv"
    export.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,ch13 Attention (4242),Quiz 1 (77)\n"
        ",,,,,Manual Posting,Manual Posting (scores hidden from instructors)\n"
        "    Points Possible,,,,,7.00,5.00\n"
        "\"Liddell, Alice\",101,S-1,alice,Lab A,,\n"
        "\"Builder, Bob\",102,S-2,bob,Lab B,,\n"
        "\"Dodo, Dave\",104,S-4,dave,Lab B,,\n")
    assert main(["export-grades", str(graded), "--format", "canvas", "--roster",
                 str(export)]) == 0
    out, err = capsys.readouterr()
    table = rows(graded / "gradebook-canvas.csv")
    assert [r[3] for r in table[2:]] == ["alice", "bob", "dave"]
    assert "no result" not in err and "0 in the roster without a result" in out


def test_a_student_with_two_result_files_is_an_error(graded, roster, capsys):
    """A result copied in twice (say "bob (1).json" from a download) would silently replace
    the other: nothing is written and both files are named."""
    (graded / "bob (1).json").write_text(json.dumps(result("bob", [1.0, 2.0, 3.0, 4.0])))
    assert main(["export-grades", str(graded), "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert "more than one result for the same student: bob (bob (1).json, bob.json)" in err
    assert not (graded / "gradebook.csv").exists()


def test_a_student_id_is_never_a_spreadsheet_formula(graded, capsys):
    """The student id is the name of what the student submitted: one that starts like a
    formula opens as text in a spreadsheet, not as a formula."""
    (graded / "evil.json").write_text(json.dumps(result("=HYPERLINK(\"http://x\")",
                                                        [1.0, 0.0, 0.0, 0.0])))
    assert main(["export-grades", str(graded), "--format", "csv"]) == 0
    table = rows(graded / "gradebook.csv")
    assert ["'=HYPERLINK(\"http://x\")", "1", "1", "0"] in table
    assert {r[0] for r in table[1:]} >= {"alice", "bob", "dave"}
