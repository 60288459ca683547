"""pytest options for the hidden graders: ``pytest autograder --impl solutions|exercises|PATH``."""
import pytest


def pytest_addoption(parser):
    group = parser.getgroup("workbook")
    group.addoption("--impl", default="solutions",
                    help="what to grade: solutions, exercises, or a path to a .py, a notebook "
                         "or a folder of them (default: solutions)")
    group.addoption("--device", action="append", default=None,
                    help="grade on this device only (cpu, cuda, mps); repeatable; "
                         "default: every available device")
    group.addoption("--seed", default="0",
                    help="seed for the random inputs (the engine uses the student id)")


def pytest_configure(config):
    wanted = config.getoption("--device")
    if wanted:
        from autograder.graders import available_devices

        found = available_devices()
        missing = [d for d in wanted if d not in found]
        if missing:
            raise pytest.UsageError(f"--device {', '.join(missing)}: not available here "
                                    f"(available: {', '.join(found)})")


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        from solutions.registry import select

        exercises = select(None)
        metafunc.parametrize("exercise", exercises, ids=[e.id for e in exercises])
    if "device" in metafunc.fixturenames:
        from autograder.graders import available_devices

        metafunc.parametrize("device", metafunc.config.getoption("--device")
                             or available_devices())


@pytest.fixture(scope="session")
def impl(request):
    from autograder.runner import load

    return load(request.config.getoption("--impl"))


@pytest.fixture(scope="session")
def seed(request):
    return request.config.getoption("--seed")
