"""The nox sessions run on the reader's Python, within the supported range."""

from __future__ import annotations

import ast
import platform
import tomllib

import pytest
from conftest import NOXFILE as noxfile  # loaded once (nox registers its sessions)
from conftest import ROOT

REQUIRES = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
    "requires-python"
]


def _sessions() -> dict[str, ast.Call | None]:
    """Each ``@nox.session`` function of the noxfile and its decorator call."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if ast.unparse(target) == "nox.session":
                found[node.name] = dec if isinstance(dec, ast.Call) else None
    return found


def test_the_readme_sessions_exist():
    assert {"docs", "tests", "lint", "serve"} <= set(_sessions())


@pytest.mark.parametrize("name", sorted(_sessions()))
def test_no_session_pins_a_single_python(name):
    call = _sessions()[name]
    keywords = {} if call is None else {k.arg: k.value for k in call.keywords}
    value = keywords.get("python", ast.Constant(None))
    pinned = isinstance(value, ast.Constant) and isinstance(value.value, str)
    single = isinstance(value, (ast.List, ast.Tuple)) and len(value.elts) == 1
    assert not (pinned or single), (
        f"nox session {name!r} pins python={ast.unparse(value)}; use python=None "
        "so it runs on the interpreter that runs nox (override with -P)"
    )


def test_the_noxfile_reads_the_range_from_pyproject():
    assert noxfile.REQUIRES_PYTHON == REQUIRES


def test_this_interpreter_is_in_the_supported_range():
    assert noxfile.python_supported(platform.python_version())


@pytest.mark.parametrize(
    ("version", "ok"),
    [("3.9.18", False), ("3.10.13", False), ("3.11.0", True), ("3.13.0", True)],
)
def test_range_check(version, ok):
    assert noxfile.python_supported(version, ">=3.11") is ok


class _Session:
    """The two calls ``_check_python`` makes of a ``nox.Session``."""

    def __init__(self, version: str | None) -> None:
        self.version, self.errors = version, []

    def run_always(self, *args: str, silent: bool) -> str | None:
        return self.version  # None: nox -R (--no-install) runs nothing

    def error(self, message: str) -> None:
        self.errors.append(message)


@pytest.mark.parametrize(
    ("version", "stopped"), [("3.12.1\n", False), ("3.9.18\n", True), (None, False)]
)
def test_the_python_check_stops_an_old_python_and_lets_nox_dash_r_through(
    version, stopped
):
    session = _Session(version)
    noxfile._check_python(session)
    assert bool(session.errors) is stopped
    if stopped:
        assert "Python 3.9.18 is not supported" in session.errors[0]


def test_readme_names_the_supported_range_and_the_torch_note():
    readme = (ROOT / "README.md").read_text()
    lowest = REQUIRES.removeprefix(">=")
    assert f"Python {lowest} or newer" in readme
    assert "LB_TORCH_INDEX_URL" in readme
    assert "https://download.pytorch.org/whl/cpu" in readme


def test_ci_lints_before_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index("nox -s lint") < run.index("nox -s tests")


@pytest.mark.parametrize(
    ("native", "others"),
    [
        ("AVX512", ["default", "avx2"]),
        ("AVX2", ["default"]),
        ("DEFAULT", []),
        ("SVE256", ["default"]),  # ARM: its one vector path, then the default
    ],
)
def test_kernels_checks_every_path_below_the_native_one(native, others):
    assert noxfile.other_kernel_paths(native) == others


def test_ci_checks_the_claims_on_other_kernel_paths():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("nox -s tests") < ci.index("nox -s kernels")
    assert "not browser" in noxfile.CLAIM_TESTS
