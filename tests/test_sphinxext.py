"""The docs glue: stale outputs are dropped when the library changes, current
API stubs are not generated again, build jobs, the wheel's name, the sitemap, and
a gallery script or chapter cell that raises fails the build loudly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

import lb_sphinxext
import pytest

import learnable_bases as lb

ROOT = Path(__file__).resolve().parents[1]


def _fake_build(tmp_path, monkeypatch):
    src = tmp_path / "docs"
    build = src / "_build"
    gallery = src / "auto_gallery"
    cache = build / ".jupyter_cache"
    doctrees = build / "doctrees"
    results = build / ".lb_cache"  # learnable_bases.cache, as docs/conf.py sets it
    stubs = src / "api" / "generated"  # autosummary pages, maybe of removed functions
    monkeypatch.setenv(lb.cache.CACHE_ENV, str(results))
    for d in (gallery, cache, doctrees, results, stubs):
        d.mkdir(parents=True)
        (d / "old").write_text("stale")
    app = SimpleNamespace(srcdir=str(src), doctreedir=str(doctrees))
    config = SimpleNamespace(
        sphinx_gallery_conf={"gallery_dirs": ["auto_gallery"]},
        nb_execution_cache_path=str(cache),
    )
    return app, config, (gallery, cache, doctrees, results, stubs)


def test_outputs_survive_when_library_is_unchanged(tmp_path, monkeypatch):
    app, config, dirs = _fake_build(tmp_path, monkeypatch)
    lb_sphinxext.invalidate_on_library_change(app, config)  # first build: stamp
    lb_sphinxext.invalidate_on_library_change(app, config)
    assert all((d / "old").exists() for d in dirs)


def test_outputs_are_dropped_when_library_changed(tmp_path, monkeypatch):
    app, config, dirs = _fake_build(tmp_path, monkeypatch)
    stamp = Path(config.nb_execution_cache_path).parent / "library-hash.txt"
    stamp.write_text("hash of an older library")
    lb_sphinxext.invalidate_on_library_change(app, config)
    assert not any((d / "old").exists() for d in dirs)
    assert stamp.read_text() == f"{lb.cache.library_hash()} | {lb.cache.numerics()}"


def test_outputs_are_dropped_when_the_kernels_changed(tmp_path, monkeypatch):
    # results computed on AVX2 kernels are not the results of the default ones
    app, config, dirs = _fake_build(tmp_path, monkeypatch)
    lb_sphinxext.invalidate_on_library_change(app, config)
    monkeypatch.setattr(
        lb_sphinxext, "numerics", lambda: "another torch, other kernels"
    )
    lb_sphinxext.invalidate_on_library_change(app, config)
    assert not any((d / "old").exists() for d in dirs)


def test_library_hash_tracks_every_source_file(tmp_path, monkeypatch):
    h = lb_sphinxext.library_hash()
    assert len(h) == 64 and h == lb_sphinxext.library_hash()
    assert (lb.cache.LIBRARY / "activations.py").exists()
    # a copy of the library hashes alike; editing any module or asset changes it
    copy = tmp_path / "learnable_bases"
    shutil.copytree(lb.cache.LIBRARY, copy, ignore=shutil.ignore_patterns("__py*"))
    monkeypatch.setattr(lb.cache, "LIBRARY", copy)

    def fresh_hash():
        lb.cache.library_hash.cache_clear()
        return lb.cache.library_hash()

    try:
        assert fresh_hash() == h
        seen = {h}
        for name in ("activations.py", "stepper.js", "stepper.css"):
            (copy / name).write_text((copy / name).read_text() + "\n")
            seen.add(fresh_hash())
        assert len(seen) == 4
    finally:
        lb.cache.library_hash.cache_clear()  # the real library's, next time


# --- API stubs: generated only when their inputs changed ------------------------


def _stub_app(tmp_path):
    """A fake Sphinx app with autosummary's generator hooked on builder-inited."""
    from sphinx.events import EventListener
    from sphinx.ext.autosummary import process_generate_options

    src = tmp_path / "docs"
    (src / "api" / "generated").mkdir(parents=True)
    (src / "_templates" / "autosummary").mkdir(parents=True)
    (src / "api" / "index.rst").write_text("API\n===\n")
    (src / "_templates" / "autosummary" / "module.rst").write_text("{{ fullname }}\n")
    listeners = {"builder-inited": [EventListener(7, process_generate_options, 500)]}
    app = SimpleNamespace(srcdir=str(src), events=SimpleNamespace(listeners=listeners))
    app.disconnect = lambda i: listeners["builder-inited"].pop(
        next(k for k, x in enumerate(listeners["builder-inited"]) if x.id == i)
    )
    return app, src


def test_stubs_are_generated_when_missing_or_stale(tmp_path):
    app, src = _stub_app(tmp_path)
    lb_sphinxext.skip_current_stubs(app, None)  # no stamp yet
    assert len(app.events.listeners["builder-inited"]) == 1
    lb_sphinxext.stamp_stubs(app, None)
    (src / "api" / "index.rst").write_text("API\n===\n\nnew module\n")
    lb_sphinxext.skip_current_stubs(app, None)  # the index changed
    assert len(app.events.listeners["builder-inited"]) == 1


def test_current_stubs_are_not_generated_again(tmp_path):
    app, _ = _stub_app(tmp_path)
    lb_sphinxext.stamp_stubs(app, None)
    lb_sphinxext.skip_current_stubs(app, None)
    assert app.events.listeners["builder-inited"] == []


def test_a_failed_build_leaves_no_stamp(tmp_path):
    app, src = _stub_app(tmp_path)
    lb_sphinxext.stamp_stubs(app, RuntimeError("build failed"))
    assert not (src / "api" / "generated" / lb_sphinxext.STUBS_STAMP).exists()


def test_stubs_key_follows_the_library(tmp_path, monkeypatch):
    _, src = _stub_app(tmp_path)
    before = lb_sphinxext.stubs_key(src)
    monkeypatch.setattr(lb_sphinxext, "library_hash", lambda: "another library")
    assert lb_sphinxext.stubs_key(src) != before


# --- build jobs and the wheel ---------------------------------------------------


def test_build_jobs_reads_the_environment(monkeypatch):
    import lb_prerun

    monkeypatch.setenv("LB_BUILD_JOBS", "3")
    assert lb_prerun.build_jobs() == 3
    monkeypatch.delenv("LB_BUILD_JOBS")
    assert 1 <= lb_prerun.build_jobs() <= 4
    for bad in ("0", "-1", "two", "1.5"):
        monkeypatch.setenv("LB_BUILD_JOBS", bad)
        with pytest.raises(ValueError, match="LB_BUILD_JOBS must be a positive"):
            lb_prerun.build_jobs()


def test_wheel_name_matches_the_project():
    import tomllib

    import lb_site

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert lb_site.wheel_name() == (
        f"{project['name'].replace('-', '_')}-{project['version']}-py3-none-any.whl"
    )
    assert lb_site.wheel_name().startswith("learnable_bases-")


# --- the library loads its submodules on first use ------------------------------


def test_cache_module_imports_without_torch():
    import subprocess
    import sys as _sys

    code = (
        "import sys, learnable_bases.cache, learnable_bases as lb\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert lb.training.train and 'torch' in sys.modules\n"
        "assert set(lb.__all__) <= set(dir(lb))\n"
        "try:\n    lb.no_such_module\nexcept AttributeError as e:\n"
        "    assert 'no_such_module' in str(e)\n"
        "else:\n    raise SystemExit('no error')\n"
    )
    subprocess.run([_sys.executable, "-c", code], check=True, timeout=120)


def test_sitemap_lists_every_document_not_only_the_pages_just_written(tmp_path):
    """An incremental build writes few pages; its sitemap still lists them all."""
    import xml.etree.ElementTree as ET

    import lb_site

    docs = {"index", "chapters/01_learnable_bases", "api/index", "search", "404"}
    app = SimpleNamespace(
        outdir=str(tmp_path),
        config=SimpleNamespace(html_baseurl="https://example.org/book"),
        builder=SimpleNamespace(format="html", get_target_uri=lambda d: d + ".html"),
        env=SimpleNamespace(found_docs=docs),
    )
    lb_site.write_sitemap(app, None)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(tmp_path / "sitemap.xml").getroot()
    urls = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert urls == [
        "https://example.org/book/api/index.html",
        "https://example.org/book/chapters/01_learnable_bases.html",
        "https://example.org/book/index.html",
    ]
    (tmp_path / "sitemap.xml").unlink()
    lb_site.write_sitemap(app, RuntimeError("build failed"))
    assert not (tmp_path / "sitemap.xml").exists()


# -------------------------------------- a broken script or cell fails the build
# A gallery script or a chapter cell that raises fails the docs build, loudly.
#
# A copy of the docs configuration builds a tiny book, in a temporary directory,
# with one broken gallery script and one chapter whose cell raises, each beside
# a working one so that scripts and chapters run in parallel worker processes as
# in the real build (``LB_BUILD_JOBS=2``). The build must exit non-zero and name
# both broken files and both errors.
BROKEN_SCRIPT = '''"""
Broken on purpose
=================

A script that raises, to check the build fails loudly.
"""

# %%
# It raises.
raise RuntimeError("gallery script broken on purpose")
'''

BROKEN_CHAPTER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# A broken chapter

```{code-cell} python
raise ValueError("chapter cell broken on purpose")
```
"""

FINE_SCRIPT = '''"""
Works
=====

A script that runs.
"""

# %%
print("fine script ran")
'''

FINE_CHAPTER = BROKEN_CHAPTER.replace("A broken chapter", "A fine chapter").replace(
    'raise ValueError("chapter cell broken on purpose")', "print(1 + 1)"
)

INDEX = """# Tiny book

```{toctree}
chapters/broken_chapter
chapters/fine_chapter
auto_gallery/index
```
"""


def test_a_raising_script_or_cell_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    for part in ("_ext", "_static", "_templates"):
        shutil.copytree(ROOT / "docs" / part, docs / part)
    shutil.copy(ROOT / "docs" / "conf.py", docs / "conf.py")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tmp_path / name)  # the wheel the site offers
    shutil.copytree(ROOT / "src", tmp_path / "src")
    (docs / "index.md").write_text(INDEX)
    (docs / "chapters").mkdir()
    (docs / "chapters" / "broken_chapter.md").write_text(BROKEN_CHAPTER)
    (docs / "chapters" / "fine_chapter.md").write_text(FINE_CHAPTER)
    gallery = tmp_path / "gallery" / "01_broken"
    gallery.mkdir(parents=True)
    (gallery.parent / "GALLERY_HEADER.rst").write_text("Gallery\n=======\n")
    (gallery / "GALLERY_HEADER.rst").write_text("Broken\n------\n")
    (gallery / "plot_broken.py").write_text(BROKEN_SCRIPT)
    (gallery / "plot_fine.py").write_text(FINE_SCRIPT)

    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
         str(docs), str(docs / "_build" / "html")],
        cwd=tmp_path,
        env={
            **os.environ,
            "OMP_NUM_THREADS": "1",
            "LB_NO_PROGRESS": "1",
            "LB_BUILD_JOBS": "2",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "plot_broken.py" in output
    assert "gallery script broken on purpose" in output
    assert "broken_chapter" in output
    assert "chapter cell broken on purpose" in output
    # the chapters ran side by side first; the broken one again, alone, to report
    assert "executing 2 chapters in 2 processes" in output
    assert "fine_chapter.md: executed in" in output
    assert "broken_chapter.md: CellExecutionError; myst-nb will run it again" in output
    assert "(with parallel=2)" in output
