"""`python -m csdata.demo.bench_import` runs end to end on a small file of each kind and prints
the figures the README quotes: (a) three times and their median, (b) with its steps, the ratio,
(c) and the peak memory; the import it times lands every row of the file."""

from __future__ import annotations

import re
import statistics

import pytest

from csdata.demo import bench_import


@pytest.mark.parametrize("kind", ["tickets", "audits"])
def test_the_import_benchmark_prints_its_figures(kind, tmp_path, capsys):
    assert bench_import.main(["--rows", "2000", "--kind", kind, "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{kind} file: 2,000 rows" in out
    found = re.search(
        r"\(a\) DuckDB read_csv into a table: ([\d.]+) s \(median of ([\d.]+), ([\d.]+), ([\d.]+)\)", out
    )
    assert found, out
    median, *runs = (float(x) for x in found.groups())
    assert median == pytest.approx(statistics.median(runs), abs=0.006)  # (printed to two places)
    import_s = float(
        re.search(
            r"\(b\) csdata import_file .*: ([\d.]+) s \(read [\d.]+ s, check [\d.]+ s, write [\d.]+ s\)", out
        ).group(1)
    )
    ratio = float(re.search(r"ratio \(b\) / \(a\): ([\d.]+)", out).group(1))
    # (each figure printed to two places: the ratio within what that rounding allows)
    assert (
        (import_s - 0.005) / (median + 0.005) - 0.005
        <= ratio
        <= (import_s + 0.005) / (median - 0.005) + 0.005
    )
    assert re.search(r"\(c\) DuckDB alone, .*: [\d.]+ s = [\d.]+ x \(a\)", out)
    assert re.search(r"peak RSS [\d,]+ MiB", out)
    assert list(tmp_path.iterdir()) == []  # the work folder is left as it was
