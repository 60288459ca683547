"""The class report and a feedback page in a real browser: headless Chromium via Selenium.

The pages are opened from disk (file:// URLs) as an instructor opens them: they must render
(title, headings), log no console error, and load every image. A screenshot of each is saved
(pytest's tmp folder, and $WORKBOOK_SCREENSHOTS when set) so a person can look at them.

Needs Chromium, its driver and Selenium (`pip install -e '.[test]'`; Debian:
`apt-get install chromium chromium-driver`). Without them the tests are skipped with the
reason, unless WORKBOOK_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run

SAMPLES = REPO / "samples" / "submissions"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000"]


def _find(env: str, *names: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if Path(given).exists() else None
    return next((found for n in names if (found := shutil.which(n))), None)


def _unavailable(why: str):
    if os.environ.get("WORKBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"WORKBOOK_REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    chromium = _find("WORKBOOK_CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver = _find("WORKBOOK_CHROMEDRIVER", "chromedriver")
    if not chromium or not driver:
        missing = " and ".join(what for what, found in (("Chromium", chromium),
                                                        ("chromedriver", driver)) if not found)
        _unavailable(f"{missing} not found (Debian: apt-get install chromium chromium-driver; "
                     "or set WORKBOOK_CHROMIUM and WORKBOOK_CHROMEDRIVER to the binaries)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver: Selenium Manager would otherwise try to download one.
    b = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    b.set_page_load_timeout(60)
    yield b
    b.quit()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The bundled class, graded and reported, as in the README's instructor path."""
    out = tmp_path_factory.mktemp("browser") / "graded"
    bin_ = Path(os.sys.executable).parent
    proc = run(bin_ / "workbook", "grade", *sorted(SAMPLES.iterdir()), "--out", out, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run(bin_ / "workbook", "report", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def open_page(b, path: Path):
    b.get_log("browser")  # drop what earlier pages logged
    b.get(path.resolve().as_uri())
    assert b.execute_script("return document.readyState") == "complete"


def severe_console_messages(b) -> list[str]:
    return [e["message"] for e in b.get_log("browser") if e["level"] == "SEVERE"]


def images(b) -> list[dict]:
    return b.execute_script("return Array.from(document.images).map(i => ({alt: i.alt, "
                            "complete: i.complete, width: i.naturalWidth}))")


def headings(b) -> list[str]:
    return b.execute_script("return Array.from(document.querySelectorAll('h1, h2'))"
                            ".map(h => h.textContent.trim().replace(/\\s+/g, ' '))")


def screenshot(b, name: str, tmp_path: Path) -> Path:
    """The whole page (the window grown to its height, at most 12000 px), saved as PNG."""
    height = b.execute_script("return document.documentElement.scrollHeight")
    b.set_window_size(1280, min(max(height, 600), 12000))
    shot = tmp_path / f"{name}.png"
    assert b.save_screenshot(str(shot))
    b.set_window_size(1280, 1000)
    if os.environ.get("WORKBOOK_SCREENSHOTS"):
        keep = Path(os.environ["WORKBOOK_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / shot.name)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    return shot


def test_class_report_renders_in_chromium(browser, graded, tmp_path):
    open_page(browser, graded / "report.html")
    assert browser.title == f"Class report: {graded.name}"
    seen = headings(browser)
    for heading in ("Class report", "Class summary", "Where the class struggles",
                    "Pass rate per chapter", "Exercises", "Students"):
        assert heading in seen, seen
    assert severe_console_messages(browser) == []
    imgs = images(browser)
    assert len(imgs) == 2 and all(i["complete"] and i["width"] > 0 and i["alt"] for i in imgs)
    screenshot(browser, "class-report", tmp_path)


def test_a_student_link_opens_their_feedback_page(browser, graded, tmp_path):
    open_page(browser, graded / "report.html")
    link = browser.execute_script(
        "return document.querySelector(\"tr[data-student='bob'] a\")")
    link.click()
    assert browser.current_url == (graded / "feedback" / "bob.html").resolve().as_uri()
    assert browser.title.startswith("Feedback") and "bob" in browser.title
    assert any("bob" in h for h in headings(browser))
    assert severe_console_messages(browser) == []
    assert all(i["complete"] and i["width"] > 0 for i in images(browser))
    screenshot(browser, "feedback-bob", tmp_path)


def test_the_checks_see_a_broken_page(browser, tmp_path):
    """The checks above can fail: a console error and a missing image are both seen."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><title>broken</title><h1>x</h1><img src='nowhere.png' "
                    "alt='gone'><script>console.error('boom')</script>")
    open_page(browser, page)
    assert any("boom" in m for m in severe_console_messages(browser))
    assert images(browser) == [{"alt": "gone", "complete": True, "width": 0}]


def test_ci_installs_the_browser_and_requires_it():
    """CI must not skip the browser test silently: it installs Chromium, its driver and the
    test extra, and sets WORKBOOK_REQUIRE_BROWSER=1 before the README's test command."""
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    install = next(i for i, ln in enumerate(ci) if "apt-get install" in ln)
    assert "chromium chromium-driver" in ci[install]
    extra = next(i for i, ln in enumerate(ci) if "'.[nbgrader,test]'" in ln)
    require = ci.index("export WORKBOOK_REQUIRE_BROWSER=1")
    tests = ci.index(".venv/bin/python -m pytest -q")
    assert install < extra < tests and require < tests
