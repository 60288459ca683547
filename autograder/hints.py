"""``workbook hint``: an exercise's hints, one at a time, remembered per student folder.

Each exercise declares up to three progressive hints in its ``@exercise`` decorator (the
idea; the torch operations to use; a skeleton with blanks). A student asks for the next one
when stuck; the hints already seen are kept in ``.workbook-hints.json`` inside the folder
``workbook check`` would check, so a second ``workbook hint`` moves on to the next hint.

Reading the hints must not import torch (the solutions do): ``declared`` reads each
``@exercise(...)`` call from the solution files' source instead, and only imports a chapter
whose decorators it cannot evaluate on its own.
"""
from __future__ import annotations

import json
from pathlib import Path

from autograder.build import HINTS_SEEN as STATE_FILE
from solutions.registry import Exercise, declared  # noqa: F401 (declared: the CLI's)

HINT_KINDS = ("the idea", "the torch operations", "a skeleton with blanks")
STARS = {"utf-8": ("★", "☆"), "ascii": ("*", "-")}  # filled and empty, by what prints


def charset(stream, symbols=()) -> str:
    """"utf-8" when ``stream`` can print the stars (and ``symbols``), else "ascii"."""
    try:
        "".join([*STARS["utf-8"], *symbols]).encode(getattr(stream, "encoding", None)
                                                    or "ascii")
        return "utf-8"
    except (UnicodeEncodeError, LookupError):
        return "ascii"


def hint_title(number: int) -> str:
    """"Hint 2: the torch operations" (numbers from 1)."""
    kind = HINT_KINDS[number - 1] if number <= len(HINT_KINDS) else ""
    return f"Hint {number}" + (f": {kind}" if kind else "")


def difficulty(ex: Exercise, stars: tuple[str, str] = ("★", "☆"), short: bool = False) -> str:
    """"★★☆, about 10 minutes" ("about 10 min" if ``short``); either part alone when the other
    is unset; "" when both are."""
    parts = []
    if ex.stars:
        parts.append(stars[0] * ex.stars + stars[1] * (3 - ex.stars))
    if ex.minutes:
        unit = "min" if short else f"minute{'s' * (ex.minutes != 1)}"
        parts.append(f"about {ex.minutes} {unit}")
    return ", ".join(parts)


def difficulty_line(ex: Exercise, stars: tuple[str, str] = ("★", "☆")) -> str:
    """"Difficulty: ★★☆ (about 10 minutes)" as the statements show it; "" when unset."""
    minutes = f"about {ex.minutes} minute{'s' * (ex.minutes != 1)}" if ex.minutes else ""
    if ex.stars:
        level = stars[0] * ex.stars + stars[1] * (3 - ex.stars)
        return f"Difficulty: {level}" + (f" ({minutes})" if minutes else "")
    return f"Time: {minutes}" if minutes else ""


def find(selector: str, exercises: dict[str, Exercise]) -> Exercise:
    """The one exercise ``ch13.causal_mask`` or ``causal_mask`` names; ValueError saying why
    otherwise."""
    hits = [ex for ex in exercises.values() if selector in (ex.id, ex.name)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise ValueError(f"{selector} names {len(hits)} exercises: "
                         f"{', '.join(ex.id for ex in hits)}; give one of them")
    chapter = [ex for ex in exercises.values() if ex.chapter == selector]
    if chapter:
        raise ValueError(f"{selector} is a chapter: give one exercise, e.g. "
                         f"`workbook hint {chapter[0].id}`")
    import difflib

    name = selector.rpartition(".")[2]  # ch06.causal_mask: the name in another chapter
    near = [ex.id for ex in exercises.values() if ex.name == name] or difflib.get_close_matches(
        selector, [ex.id for ex in exercises.values()] + [ex.name for ex in exercises.values()],
        n=3, cutoff=0.75)
    ids = [ex.id for n in near for ex in exercises.values() if n in (ex.id, ex.name)]
    hint = f"; did you mean {' or '.join(dict.fromkeys(ids))}?" if ids else ""
    raise ValueError(f"no exercise {selector!r} (names as in exercises/CATALOG.md, e.g. "
                     f"ch13.causal_mask or causal_mask){hint}")


# -- the hints a student has seen, per folder --------------------------------------------------

class SeenHints:
    """How many hints of each exercise a student has seen, kept in ``folder/STATE_FILE``.

    A state file that cannot be read or written never stops a hint from being shown:
    ``problem`` says what went wrong, and the hints start again from the first."""

    def __init__(self, folder: Path):
        self.path = folder / STATE_FILE
        self.problem = ""
        self.broken = False
        self.seen: dict[str, int] = {}
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            seen = data["seen"]
            if not isinstance(seen, dict) or not all(isinstance(v, int) for v in seen.values()):
                raise ValueError("its 'seen' is not a table of counts")
            self.seen = dict(seen)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.problem = (f"could not read {self.path} ({exc}); counting the hints seen "
                            "from the first again")
            self.broken = self.path.is_file()  # kept aside, not overwritten, on saving

    def count(self, exercise_id: str) -> int:
        return max(0, self.seen.get(exercise_id, 0))

    def record(self, exercise_id: str, count: int) -> None:
        if count:
            self.seen[exercise_id] = count
        else:
            self.seen.pop(exercise_id, None)
        text = json.dumps({"seen": self.seen}, indent=1, sort_keys=True) + "\n"
        tmp = self.path.with_name(self.path.name + ".tmp")
        if self.broken:  # what it held may still be read by a person: it is not lost
            aside = self.path.with_name(self.path.name + ".broken")
            try:
                self.path.replace(aside)
                self.problem += f"; it is kept as {aside.name}"
            except OSError:
                pass
            self.broken = False
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            said = f"could not save the hints seen in {self.path} ({exc.strerror or exc})"
            self.problem = f"{self.problem}; {said}" if self.problem else said


# -- what the student reads --------------------------------------------------------------------

def _indented(text: str, width: int = 92) -> str:
    """The hint indented; a one-line hint in prose is wrapped to ``width`` (code, written on
    several lines, is kept as written)."""
    import textwrap

    if "\n" not in text.strip():
        return textwrap.fill(text.strip(), width, initial_indent="    ",
                             subsequent_indent="    ", break_on_hyphens=False)
    return "\n".join("    " + line if line.strip() else "" for line in text.splitlines())


def _shown(ex: Exercise, number: int) -> str:
    return f"{hint_title(number)}\n\n{_indented(ex.hints[number - 1])}"


def hint_text(ex: Exercise, seen: SeenHints, *, show_all: bool = False, reset: bool = False,
              stars: tuple[str, str] = STARS["utf-8"]) -> str:
    """What ``workbook hint`` prints for ``ex``, recording the hints now seen."""
    if reset:
        seen.record(ex.id, 0)
        return (f"Forgot the hints you had seen for {ex.id}: `workbook hint {ex.id}` shows "
                "hint 1 again.")
    total = len(ex.hints)
    if not total:
        return (f"{ex.id} has no hints yet.\nIts docstring (in your exercise file or the "
                "notebook) gives the arguments, the result's shape\nand a worked example; "
                f"`workbook check {ex.id}` runs that example on your answer\nand says what "
                "came back.")
    level = difficulty(ex, stars)
    about = f" ({level})" if level else ""
    done = seen.count(ex.id)
    if show_all or done >= total:
        seen.record(ex.id, total)
        head = (f"All {total} hint{'s' * (total != 1)} for {ex.id}{about}" if show_all else
                f"You have seen all {total} hint{'s' * (total != 1)} for {ex.id}{about}; "
                "here they are again")
        body = "\n\n".join(_shown(ex, n) for n in range(1, total + 1))
        return (f"{head}:\n\n{body}\n\nThat is every hint. `workbook check {ex.id}` tests your "
                f"answer; `workbook hint {ex.id} --reset` starts the hints over.")
    number = done + 1
    seen.record(ex.id, number)
    text = (f"Hint {number} of {total} for {ex.id}{about}: {HINT_KINDS[number - 1]}\n\n"
            + _indented(ex.hints[number - 1]))
    left = total - number
    if left:
        text += (f"\n\n{left} more hint{'s' * (left != 1)}: run `workbook hint {ex.id}` "
                 f"again for hint {number + 1} (`--all` shows every hint).")
    else:
        text += (f"\n\nThat was the last hint for {ex.id}. `workbook check {ex.id}` tests your "
                 "answer.")
    return text
