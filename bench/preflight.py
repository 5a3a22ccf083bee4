"""What each fast path of 校验 saves: per-workbook ms of a 21-file validate, with and without it, in one run.

Each configuration runs in a fresh Python process (imports done before the clock starts), which calls
``xl_tools.jobs.validate_files`` on the same 21 generated city workbooks once, as ``xl-tools validate`` does;
the configurations alternate, ``--repeats`` times each, and the medians of their CPU time are compared (wall
time on a machine shared with other work varies by more than the differences measured). A fast path is worth its
code when it saves at least 0.5 ms per workbook AND at least 5 % of the whole ``xl-tools validate`` process
(measured here too, from the interpreter's start to its exit).

    python bench/preflight.py                 # 21 workbooks, 7 rounds
    python bench/preflight.py --repeats 11

A configuration names a fast path switched off; one whose code is gone (removed) is reported as such.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name → (what it is, the Python that switches it off, the attribute that must exist for it to apply)
SWITCHES: dict[str, tuple[str, str, str]] = {
    "scan-cache": ("pre-flight: whole-file verdicts remembered by SHA-256",
                   "S._fast_scan_remembered = lambda p, d: S._fast_zip_scan(p, d)", "S._fast_scan_remembered"),
    "in-memory-scan": ("pre-flight: the in-memory check (else the step-by-step check)",
                       "S._fast_scan_remembered = lambda p, d: None", "S._fast_scan_remembered"),
    "remembered": ("pre-flight: expat verdicts remembered by part bytes",
                   "S._remembered = lambda kind, data, compute: compute(data)", "S._remembered"),
    "sheetdata-regex": ("pre-flight: <sheetData> checked and measured by one regex",
                        "S._plain_sheet = lambda data: None", "S._plain_sheet"),
    "sheet-regex-measure": ("pre-flight: worksheets measured by regexes (else expat callbacks)",
                            "S._measure_sheet_fast = lambda data, extent: False", "S._measure_sheet_fast"),
    "sst-regex": ("pre-flight: shared strings checked by a regex (else expat)",
                  "S._plain_shared_strings = lambda data: False", "S._plain_shared_strings"),
    "no-doctype-shortcut": ("pre-flight: tolerant parts without '<!' skip expat",
                            "S._no_doctype = lambda d: S._remembered('tolerant', d, S._tolerated)", "S._no_doctype"),
    "plain-sheet-measure": ("pre-flight: worksheets measured by regexes (else expat callbacks)",
                            "P.measure_plain_sheet = lambda data, extent: False", "P.measure_plain_sheet"),
    "step-by-step+regex": ("pre-flight: the in-memory check and the <sheetData> regex (what remains: the "
                           "step-by-step check measuring sheets by regexes)",
                           "S._fast_scan_remembered = lambda p, d: None\nS._plain_sheet = lambda data: None",
                           "S._plain_sheet"),
    "all-preflight": ("pre-flight: every fast path above (step-by-step check, expat callbacks)",
                      "S._fast_scan_remembered = lambda p, d: None\n"
                      "S._measure_sheet_fast = lambda data, extent: False", "S._fast_scan_remembered"),
    "reader-plain-columns": ("reader: indicator columns read by one comprehension (else cell by cell)",
                             "R._indicators = lambda grid, rows, columns: tuple(R.Indicator(*(R._located(grid, row, "
                             "columns[key], fill_down=True) for key in R._COLUMN_KEYS)) for row in rows)",
                             "R._indicators"),
    "value-caches": ("rules: parse_value / is_placeholder_text / squash remembered by text",
                     "V._parse_cached = V._parse_total\nV._placeholder_cached = V._is_placeholder_total\n"
                     "T._squash_text = T._squash", "V._parse_cached"),
    "names-regex": ("reader: defined names cut out by regexes (else expat callbacks)",
                    "F._plain_names = lambda data: None", "F._plain_names"),
    "object-schema-check": ("reader: the Form checked as an object (else record + compiled check)",
                            "D._object_check = lambda: None", "D._object_check"),
    "compiled-schema": ("reader: compiled schema check (else jsonschema), with the object check off",
                        "D._object_check = lambda: None\nD._fast_check = lambda: None", "D._fast_check"),
}

CHILD = """
import os, sys, time, gc
os.environ.setdefault("XL_TOOLS_LOG_DIR", {logs!r})
import xl_tools.jobs, xl_tools.workbook.reader, xl_tools.rules, xl_tools.workbook.fastread
import python_calamine, openpyxl
import xl_tools.workbook.safety as S
ns = {{"S": S, "P": sys.modules.get("xl_tools.workbook.safety.parts")}}
import xl_tools.workbook.fastread as F
import xl_tools.domain.schema as D
import xl_tools.workbook.reader as R, xl_tools.domain.values as V, xl_tools.domain.text as T
ns["F"], ns["D"], ns["R"], ns["V"], ns["T"] = F, D, R, V, T
switch = {switch!r}
if switch:
    exec(switch, ns)
paths = sorted(os.path.join({folder!r}, n) for n in os.listdir({folder!r}))
t0 = time.process_time()          # CPU seconds: far steadier than wall time on a shared machine
report = xl_tools.jobs.validate_files(paths)
dt = time.process_time() - t0
assert len(report.tasks) > len(paths)
print(dt)
"""


def _available(code: str, attr: str, env: dict) -> bool:
    probe = ("import sys\nimport xl_tools.workbook.fastread as F, xl_tools.domain.schema as D\n"
             "import xl_tools.workbook.reader as R, xl_tools.domain.values as V, xl_tools.domain.text as T\n"
             "import xl_tools.workbook.safety as S\nP = sys.modules.get('xl_tools.workbook.safety.parts')\n"
             f"print(hasattr({attr.split('.')[0]}, {attr.split('.', 1)[1]!r}))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         cwd=tempfile.gettempdir())   # not the checkout: python -c puts the cwd first
    return out.stdout.strip() == "True"


def _child(switch: str, folder: Path, env: dict, logs: str) -> float:
    code = CHILD.format(switch=switch, folder=str(folder), logs=logs)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=logs)
    return float(out.stdout.strip().splitlines()[-1])


def _process(folder: Path, env: dict) -> float:
    """CPU seconds (user + system) of one ``xl-tools validate`` process, start to exit."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "xl_tools", "validate", str(folder), "--json"], env=env,
                   capture_output=True, check=False, cwd=tempfile.gettempdir())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="每个快速路径在 21 个工作簿的校验中节省多少（毫秒/工作簿）")
    parser.add_argument("--count", type=int, default=21, help="工作簿个数（默认 21）")
    parser.add_argument("--repeats", type=int, default=7, help="每种配置的重复次数（默认 7）")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="生成的工作簿缓存目录")
    parser.add_argument("--before", type=Path, help="另一份代码（如改动前的检出）：同一轮中也测它的校验，作对比")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from generate import ensure_pool, size_folder

    ensure_pool(args.cache, args.count)
    folder = size_folder(args.cache, args.count)
    env = dict(os.environ)
    logs = tempfile.mkdtemp(prefix="xl_tools_bench_logs_")
    env["XL_TOOLS_LOG_DIR"] = logs
    switches = {"": ("every fast path on", "", "")}
    gone = []
    for name, (what, code, attr) in SWITCHES.items():
        if _available(code, attr, env):
            switches[name] = (what, code, attr)
        else:
            gone.append(name)
    times: dict[str, list[float]] = {name: [] for name in switches}
    process: list[float] = []
    before: list[float] = []
    before_process: list[float] = []
    env_before = {**env, "PYTHONPATH": str(args.before)} if args.before else None
    for _ in range(args.repeats):
        for name, (_what, code, _attr) in switches.items():
            times[name].append(_child(code, folder, env, logs))
        process.append(_process(folder, env))
        if env_before:
            before.append(_child("", folder, env_before, logs))
            before_process.append(_process(folder, env_before))
    base = statistics.median(times[""])
    wall = statistics.median(process)
    n = args.count
    print(f"{n} workbooks, {args.repeats} rounds, CPU time (medians); "
          f"xl-tools validate process (start to exit): {wall * 1000:.0f} ms")
    print(f"validate_files, every fast path on: {base * 1000:.1f} ms ({base / n * 1000:.2f} ms/workbook)")
    print(f"{'switched off':<22} {'ms':>8} {'ms/wb':>7} {'saves ms/wb':>11} {'% process':>9}  keep?  what")
    for name, (what, _code, _attr) in switches.items():
        if not name:
            continue
        t = statistics.median(times[name])
        saves = (t - base) / n * 1000
        share = (t - base) / wall * 100
        keep = "yes" if saves >= 0.5 and share >= 5 else "no"
        print(f"{name:<22} {t * 1000:8.1f} {t / n * 1000:7.2f} {saves:11.2f} {share:8.1f}%  {keep:<5}  {what}")
    for name in gone:
        print(f"{name:<22} {'(removed)':>8}  {SWITCHES[name][0]}")
    if before:
        b, bp = statistics.median(before), statistics.median(before_process)
        print(f"before ({args.before}): validate_files {b * 1000:.1f} ms ({b / n * 1000:.2f} ms/workbook), "
              f"process {bp * 1000:.0f} ms; now/before: {base / b:.2f} (validate_files), {wall / bp:.2f} (process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
