"""
Benchmark: what each hostile participant or payment file costs the reader (issue 12, item 2).

The files are those of `tests/security/hostile_files.py` (a DTD behind a long
comment in each XML part, a header cell at column AAAAAA, a shared-strings
bomb, 1E+2000000, a header of a million semicolons, ...). Each is read by
`klynge.core.tabular.read_table` in a fresh Python process, and this prints
the peak resident memory of that process (the interpreter's ~30 MB included),
its CPU time (start-up included), the wall time of the read alone, and the
message the file got. The last line gives the largest memory and time any
file reached. `tests/security/test_file_limits.py` asserts the bounds; this
only prints, and exits 1 if a file is read without a refusal it should get.

    .venv/bin/python bench/hostile_files.py
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _cases_module() -> ModuleType:
    """tests/security/hostile_files.py, loaded by path (bench is not a package)."""
    path = ROOT / "tests" / "security" / "hostile_files.py"
    spec = importlib.util.spec_from_file_location("hostile_files", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_files"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> int:
    hostile = _cases_module()
    print(
        f"Python {platform.python_version()} on {platform.machine()}; each file in a fresh process"
    )
    print(f"{'file':34} {'size':>11} {'peak MB':>8} {'CPU s':>6} {'read s':>7}  message")
    peak, cpu, wall, failed = 0.0, 0.0, 0.0, 0
    for case in hostile.CASES:
        started = time.perf_counter()
        data = case.build()
        built = time.perf_counter() - started
        result = hostile.measure(data)
        refused = bool(result.message)
        failed += not refused
        peak, cpu, wall = (
            max(peak, result.peak_mb),
            max(cpu, result.cpu_seconds),
            max(wall, result.seconds),
        )
        print(
            f"{case.name:34} {len(data):>11,} {result.peak_mb:>8.1f} {result.cpu_seconds:>6.2f}"
            f" {result.seconds:>7.2f}  {result.message[:90] if refused else 'READ (no refusal!)'}"
            f"  [built in {built:.1f} s]"
        )
    print(f"largest: {peak:.1f} MB peak memory, {cpu:.2f} s CPU, {wall:.2f} s reading")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
