"""The docs glue: stale outputs are dropped when the library changes."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

import lb_sphinxext

import learnable_bases as lb


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
    assert stamp.read_text() == lb_sphinxext.library_hash()


def test_library_hash_tracks_every_source_file():
    h = lb_sphinxext.library_hash()
    assert len(h) == 64 and h == lb_sphinxext.library_hash()
    assert (lb.cache.LIBRARY / "activations.py").exists()
