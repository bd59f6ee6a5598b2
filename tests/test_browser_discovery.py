"""Set up from nothing: the browser tests find a browser, or say in one message why not.

``nox -s tests`` looks for the system's Chromium or Chrome, else installs
Playwright's; when neither works it stops with one sentence. Run without nox,
the browser fixture reports a missing browser once and skips the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nox
import pytest
from conftest import NOXFILE as noxfile  # loaded once (nox registers its sessions)
from conftest import ROOT


class FakeSession:
    """Records what ``_find_browser`` logs, runs and reports."""

    def __init__(self, playwright_path: str, install_works: bool):
        self.playwright_path = playwright_path
        self.install_works = install_works
        self.logs, self.runs = [], []

    def log(self, message):
        self.logs.append(message)

    def run(self, *args, **kwargs):
        self.runs.append(args)
        if args[:2] == ("playwright", "install"):
            if not self.install_works:
                raise nox.command.CommandFailed("download host unreachable")
            return ""
        return self.playwright_path + "\n"

    # the noxfile uses these so that ``--install-only`` still finds the browser
    run_always = run
    run_install = run

    def error(self, message):
        raise SystemExit(message)


@pytest.fixture
def no_system_browser(monkeypatch):
    monkeypatch.delenv("LB_CHROMIUM", raising=False)
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: None)


def test_nox_uses_a_system_browser_and_says_so(monkeypatch):
    monkeypatch.delenv("LB_CHROMIUM", raising=False)
    monkeypatch.setattr(
        noxfile.shutil,
        "which",
        lambda n: "/usr/bin/chromium" if n == "chromium" else None,
    )
    session = FakeSession("/nowhere/chrome", install_works=False)
    assert noxfile._find_browser(session) == "/usr/bin/chromium"
    assert session.runs == []
    assert "system browser /usr/bin/chromium" in session.logs[-1]


def test_nox_installs_playwrights_chromium_when_there_is_none(
    no_system_browser, tmp_path
):
    session = FakeSession(str(tmp_path / "chrome"), install_works=True)
    assert noxfile._find_browser(session) == str(tmp_path / "chrome")
    assert ("playwright", "install", "chromium") in session.runs
    assert any("playwright install chromium" in m for m in session.logs)


def test_nox_stops_with_one_message_when_nothing_works(no_system_browser):
    session = FakeSession("/nowhere/chrome", install_works=False)
    with pytest.raises(SystemExit) as stop:
        noxfile._find_browser(session)
    message = str(stop.value)
    assert "need Chromium" in message and "apt-get install -y chromium" in message


@pytest.mark.site
def test_pytest_reports_a_missing_browser_once(site):
    env = {**os.environ, "LB_CHROMIUM": "/nowhere/chromium"}
    env.pop("LB_SKIP_BROWSER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_browser.py"), "-k", "test_page["],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode != 0
    assert "browser tests need Chromium" in out, out[-2000:]
    assert out.count("ERROR at setup") == 1, out[-2000:]
    assert " 1 error" in out and "skipped" in out, out[-500:]
