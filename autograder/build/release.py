"""``release/chNN_topic/``: nbgrader's own ``generate_assignment`` run on ``source/``.

The student notebooks are never rendered by the workbook: nbgrader clears the solutions and
the hidden tests, locks cells and records its checksums, exactly as it does for any course.
It runs in a scratch course directory (the repo's ``nbgrader_config.py`` plus the source
folders, no gradebook), so ``workbook build --check`` can compare its output with the
committed ``release/`` without touching the repo, and a release never creates a database.
Its output is deterministic (checksums are of cell contents), so regenerating is byte-identical.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

CONFIG = "nbgrader_config.py"


def generate(sources: dict[str, dict[str, str]], config: Path | None,
             gradebook: Path | None = None) -> dict[str, dict[str, str]]:
    """Run generate_assignment on ``{topic: {file name: text}}`` source folders and return
    the released ``{topic: {file name: text}}``.

    ``config`` is the course's nbgrader_config.py (None: nbgrader's defaults); with
    ``gradebook`` (a course's gradebook.db) each assignment and its cells are registered
    there, as a plain ``nbgrader generate_assignment`` in that course does."""
    try:
        from nbgrader.converters import GenerateAssignment
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import Config, PyFileConfigLoader
    except ImportError as exc:
        raise SystemExit(f"release/ is made by nbgrader, which is not installed ({exc}): "
                         "pip install -e '.[nbgrader]'") from None

    with tempfile.TemporaryDirectory(prefix="workbook-release-") as tmp:
        course = Path(tmp)
        cfg = Config()
        if config is not None and config.exists():
            shutil.copy(config, course / CONFIG)
            cfg = PyFileConfigLoader(CONFIG, path=str(course)).load_config()
        for topic, files in sources.items():
            for name, text in files.items():
                path = course / "source" / topic / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        cfg.CourseDirectory.root = str(course)
        if gradebook is None:  # a build step: no gradebook (nbgrader's --no-db sets both)
            cfg.GenerateAssignment.no_database = True
            cfg.SaveCells.enabled = False
        else:
            from autograder.course import ensure_alembic_on_path

            ensure_alembic_on_path()  # nbgrader's gradebook runs `alembic`
            cfg.CourseDirectory.db_url = f"sqlite:///{gradebook.resolve()}"
        cfg.GenerateAssignment.force = True
        log = logging.getLogger("workbook.release")
        log.setLevel(logging.WARNING)
        out = {}
        for topic in sorted(sources):
            cfg.CourseDirectory.assignment_id = topic
            GenerateAssignment(coursedir=CourseDirectory(config=cfg), config=cfg,
                               log=log).start()
            folder = course / "release" / topic
            out[topic] = {p.name: p.read_text(encoding="utf-8")
                          for p in sorted(folder.iterdir()) if p.is_file()}
        return out


def read_sources(repo: Path, topics: list[str]) -> dict[str, dict[str, str]]:
    """The committed ``source/<topic>/`` folders, as ``generate`` takes them."""
    return {topic: {p.name: p.read_text(encoding="utf-8")
                    for p in sorted((repo / "source" / topic).iterdir()) if p.is_file()}
            for topic in topics}


def release(chapters: list[str] | None, repo: Path) -> int:
    """``workbook release [chNN...]``: generate_assignment from ``source/`` into ``release/``
    for the chapters named (default: all), replacing each release folder whole, and each
    assignment registered in the course's ``gradebook.db`` (what autograde and
    ``workbook grade --nbgrader`` need)."""
    topics = sorted(p.name for p in (repo / "source").iterdir() if p.is_dir()
                    and (not chapters or p.name[:4] in chapters or p.name in chapters))
    unknown = [c for c in chapters or [] if not any(t == c or t[:4] == c for t in topics)]
    if unknown:
        print(f"no source folder for {', '.join(unknown)} under source/ "
              "(run `workbook build` first)")
        return 2
    for topic, files in generate(read_sources(repo, topics), repo / CONFIG,
                                 gradebook=repo / "gradebook.db").items():
        folder = repo / "release" / topic
        for old in folder.glob("*"):
            if old.is_file() and old.name not in files:
                old.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"released {topic}: {', '.join(files)}; registered in {repo / 'gradebook.db'}")
    return 0
