"""Speed benchmarks of the library and the site, run by ``nox -s bench``.

One module per question:

* :mod:`benchmarks.timing` -- alternate two or more callables (A, B, A, B, ...) and
  take medians, so a ratio is measured side by side in one run;
* :mod:`benchmarks.training` -- ``train()`` against the PyTorch tutorial loop,
  stacked sweeps against one loop per model, training FLOP/s against matmul FLOP/s;
* :mod:`benchmarks.build` -- clean, no-op, one-script and library-edit builds of
  the site, on a temporary copy of the repository;
* :mod:`benchmarks.pages` -- compressed bytes of every page, shared and own;
* ``python -m benchmarks`` (:mod:`benchmarks.__main__`) -- runs them, prints a
  table and writes a JSON report.

These are measurements, not tests: nothing here asserts a speed.
"""
