"""Benchmarks: batch 校验/汇总 against the file-parse floor and a naive openpyxl script, and the 校验 button.

    python bench/run.py                      # 21, 210 and 2,100 workbooks, then the button
    python bench/run.py --quick              # 21 and 210 only
    python bench/run.py --sizes 21,210 --engines calamine,openpyxl

Every measurement runs in a fresh Python process (``--child``), so imports are paid as a user pays them and
peak memory is that process's own peak RSS (``os.wait4`` → ``ru_maxrss``; tracemalloc would miss C
allocations). Times are measured inside the child around the work (imports of the libraries it needs
included, interpreter start-up excluded): CPU seconds (user + system) and wall seconds. Ratios use CPU seconds,
which other load on the machine disturbs far less than wall time; both are printed.

Batch, per size, on the same folder of generated workbooks (see ``bench/generate.py``; cached in bench/.cache):

- 下限 floor       python-calamine opens each workbook and reads every sheet's values, nothing else;
- 朴素 naive       openpyxl ``load_workbook`` + every cell of every sheet (what a hand-written script does);
- 校验 validate    ``xl-tools validate <folder>`` (in-process ``xl_tools.cli.main``, output discarded);
- 汇总 consolidate ``xl-tools consolidate <folder> -o <out>`` (it also checks every form: its 校验结果 sheet);
- 校验+汇总        the two commands one after the other, as a user runs them (sum of the two);
- 一次读取 demo    校验 and 汇总 in one process reading each file once, as ``xl-tools demo`` does (no marked copies).

Button: ``python -c "import xlwings"`` against a fresh process that builds the remote-engine ``xw.Book`` from
a workbook's payload and runs ``import xl_tools.excel as x; x.validate(book)``, alternately, several times.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

BATCH_KINDS = ("floor", "naive", "validate", "consolidate", "demo", "parallel")
JOBS = max(1, min(os.cpu_count() or 1, 8))     # what the automatic --jobs picks on this machine
LABELS = {
    "floor": "下限 calamine 解析",
    "naive": "朴素 openpyxl 遍历",
    "validate": "校验 validate",
    "consolidate": "汇总 consolidate",
    "ours": "校验+汇总（两条命令）",
    "demo": "校验+汇总（一次读取，如 demo）",
    "parallel": f"校验+汇总（一次读取，{JOBS} 进程）",
}
TARGET_FLOOR = 6.0       # ours / floor at most, 2,100 workbooks one read (issue 16; the 2x target is retired)
TARGET_NAIVE = 5.0       # naive / ours at least
TARGET_MEMORY_MB = 300
TARGET_CLICK_S = 0.1


# ----------------------------------------------------------------------------------------------------------
# child side: one measurement in this fresh process
# ----------------------------------------------------------------------------------------------------------

def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx" and not p.name.startswith("~$"))


def _floor(folder: Path) -> dict:
    import python_calamine

    cells = 0
    for path in _workbooks(folder):
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
        wb.close()
    return {"cells": cells}


def _naive(folder: Path) -> dict:
    from openpyxl import load_workbook

    cells = 0
    for path in _workbooks(folder):
        wb = load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
    return {"cells": cells}


def _record_engines(force: str | None) -> set[str]:
    """Wrap ``read_forms`` to note the engine each call asks for (or force ``force``); the set of engines used.

    The batch commands import ``read_forms`` at call time, so replacing the module attribute reaches them.
    """
    import functools

    from xl_tools.workbook import reader

    original = reader.read_forms
    used: set[str] = set()

    @functools.wraps(original)
    def read_forms(path, *, engine="openpyxl"):
        engine = force or engine
        used.add(engine)
        return original(path, engine=engine)

    reader.read_forms = read_forms
    return used


def _cli(argv: list[str]) -> tuple[int, str]:
    from xl_tools.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


def _validate(folder: Path) -> dict:
    import re

    code, text = _cli(["validate", str(folder), "--jobs", "1"])
    m = re.search(r"共校验 (\d+) 个文件：错误 (\d+) 个，警告 (\d+) 个", text)
    return {"exit": code, "files": int(m[1]), "errors": int(m[2]), "warnings": int(m[3]),
            "findings": int(m[2]) + int(m[3])}


def _consolidate(folder: Path, out: Path) -> dict:
    import re

    code, text = _cli(["consolidate", str(folder), "-o", str(out), "--jobs", "1"])
    m = re.search(r"地市 (\d+) 个", text)
    return {"exit": code, "cities": int(m[1]), "output_mb": round(out.stat().st_size / 1e6, 2)}


def _demo(folder: Path, out: Path, jobs: int = 1) -> dict:
    """What ``xl-tools demo`` does after importing the annex: 校验 and 汇总 in one process, one read per file.

    (``xl_tools.jobs.check_and_consolidate_paths``; without demo's marked copies, which write one
    more workbook per input.)
    """
    from xl_tools.cli.cmd_consolidate import _print_summary
    from xl_tools.cli.cmd_validate import render_table
    from xl_tools.jobs import check_and_consolidate_paths

    with contextlib.redirect_stdout(io.StringIO()):
        report, cons, path = check_and_consolidate_paths([str(folder)], out, jobs=jobs)
        print(render_table(report))
        _print_summary(cons, path)
    return {"findings": len(report.findings), "cities": len(cons.cities)}


class _TreeMemory:
    """Largest resident memory of this process and its children together, sampled every 10 ms (Linux /proc).

    The parallel run's true peak: the parent's own peak (writing the provincial workbook) comes after the
    workers have exited, so adding the peaks up would overstate it. None where /proc cannot tell.
    """

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self.ok = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.ok:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self.ok:
            self._thread.join()

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        return found

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.01):
            pids, todo = [], [me]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += self._children(pid)
            self.peak_kb = max(self.peak_kb, sum(self._rss_kb(pid) for pid in pids))

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.ok and self.peak_kb else None


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def child(kind: str, folder: Path, out: Path | None, engine: str | None) -> None:
    wall0, cpu0, kids0 = time.perf_counter(), time.process_time(), _children_cpu()
    engines = _record_engines(engine) if kind in ("validate", "consolidate", "demo") else None
    if kind == "floor":
        info = _floor(folder)
    elif kind == "naive":
        info = _naive(folder)
    elif kind == "validate":
        info = _validate(folder)
    elif kind == "consolidate":
        info = _consolidate(folder, out or Path(tempfile.mkdtemp()) / "汇总.xlsx")
    elif kind == "demo":
        info = _demo(folder, out or Path(tempfile.mkdtemp()) / "汇总.xlsx")
    elif kind == "parallel":
        import resource

        with _TreeMemory() as tree:
            info = _demo(folder, out or Path(tempfile.mkdtemp()) / "汇总.xlsx", jobs=JOBS)
        info["jobs"] = JOBS
        info["worker_peak_mb"] = _maxrss_mb(resource.getrusage(resource.RUSAGE_CHILDREN))
        info["tree_peak_mb"] = tree.peak_mb
    else:
        raise SystemExit(f"unknown kind {kind}")
    # CPU of this process and of the worker processes it waited for (the parallel run's workers).
    info.update(wall=time.perf_counter() - wall0, cpu=time.process_time() - cpu0 + _children_cpu() - kids0)
    if engines is not None:
        info["engines_used"] = sorted(engines)
    print(json.dumps(info, ensure_ascii=False))


# ----------------------------------------------------------------------------------------------------------
# parent side
# ----------------------------------------------------------------------------------------------------------

def _maxrss_mb(ru) -> float:
    # Linux reports kilobytes, macOS bytes.
    return ru.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru.ru_maxrss / 1024


def run_process(argv: list[str], *, env: dict | None = None) -> dict:
    """Run ``argv`` to completion; its stdout, exit code, wall seconds, CPU seconds and peak RSS (MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    return {"stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
            "code": proc.returncode, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": _maxrss_mb(ru)}


def measure(kind: str, folder: Path, work: Path, engine: str | None = None) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--folder", str(folder),
            "--out", str(work / f"汇总-{kind}-{engine or 'default'}.xlsx")]
    if engine:
        argv += ["--engine", engine]
    result = run_process(argv)
    if result["code"] != 0:
        raise SystemExit(f"measurement {kind} ({engine or 'default'}) on {folder} failed:\n{result['stderr']}")
    info = json.loads(result["stdout"].strip().splitlines()[-1])
    info["peak_mb"] = result["peak_mb"]
    if "worker_peak_mb" in info:
        # Processes together: sampled where /proc allows, else at worst this one and every worker at its peak.
        # (wait4's ru_maxrss of a process that waited for children is the largest of them, not their sum.)
        info["own_peak_mb"] = result["peak_mb"]
        tree = info.get("tree_peak_mb")
        info["peak_mb"] = (max(tree, result["peak_mb"]) if tree
                           else result["peak_mb"] + info["jobs"] * info["worker_peak_mb"])
    return info


def batch(sizes: list[int], engines: list[str], cache: Path, log) -> list[dict]:
    sys.path.insert(0, str(HERE))
    from generate import size_folder

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="xl_tools_bench_") as tmp:
        work = Path(tmp)
        for n in sizes:
            folder = size_folder(cache, n, log=log)
            plan = [("floor", None), ("naive", None)]
            for engine in engines:
                plan += [("validate", engine), ("consolidate", engine), ("demo", engine)]
                if JOBS > 1 and engine in (None, "calamine"):
                    plan.append(("parallel", engine))
            for kind, engine in plan:
                log(f"  {n} 个文件：{LABELS[kind]}" + (f"（{engine}）" if engine else "") + " …")
                info = measure(kind, folder, work, engine)
                rows.append({"files": n, "kind": kind, "engine": engine, **info})
            for engine in engines:
                v = _find(rows, n, "validate", engine)
                c = _find(rows, n, "consolidate", engine)
                rows.append({"files": n, "kind": "ours", "engine": engine, "cpu": v["cpu"] + c["cpu"],
                             "wall": v["wall"] + c["wall"], "peak_mb": max(v["peak_mb"], c["peak_mb"])})
    return rows


def _find(rows: list[dict], n: int, kind: str, engine: str | None) -> dict:
    return next(r for r in rows if r["files"] == n and r["kind"] == kind and r["engine"] == engine)


CLICK_CODE = (
    "import json, sys\n"
    "import xlwings as xw\n"
    "book = xw.Book(json=json.load(open(sys.argv[1], encoding='utf-8')))\n"
    "import xl_tools.excel as x\n"
    "click = x.validate(book)\n"
    "assert click is not None, 'the click failed (see the log)'\n"
    "print(len(click.report.findings))\n"
)


def button(cache: Path, repeats: int, log) -> dict:
    """Median wall and CPU seconds of a 校验 click's process and of bare ``import xlwings``."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "tests"))
    from generate import ensure_pool

    book = ensure_pool(cache, 1, log=log)[0]
    payload_path = cache / f"payload-{book.stem}.json"
    if not payload_path.exists() or payload_path.stat().st_mtime < book.stat().st_mtime:
        os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
        import xlwings_harness

        payload_path.write_text(json.dumps(xlwings_harness.payload_from_xlsx(book), ensure_ascii=False),
                                encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="xl_tools_bench_log_") as logs:
        env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial", XL_TOOLS_LOG_DIR=logs)
        runs = {"bare": [], "click": []}
        argv = {"bare": [sys.executable, "-c", "import xlwings"],
                "click": [sys.executable, "-c", CLICK_CODE, str(payload_path)]}
        for kind in ("bare", "click"):         # warm the page cache and .pyc files once, unmeasured
            run_process(argv[kind], env=env)
        findings = None
        for i in range(repeats):
            for kind in (("bare", "click") if i % 2 == 0 else ("click", "bare")):
                r = run_process(argv[kind], env=env)
                if r["code"] != 0:
                    raise SystemExit(f"button measurement {kind} failed:\n{r['stderr']}")
                if kind == "click":
                    findings = int(r["stdout"].strip().splitlines()[-1])
                runs[kind].append(r)
    result = {"workbook": book.name, "repeats": repeats, "findings": findings}
    for kind, rs in runs.items():
        result[kind] = {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "peak_mb")}
    result["wall_diff"] = result["click"]["wall"] - result["bare"]["wall"]
    result["cpu_diff"] = result["click"]["cpu"] - result["bare"]["cpu"]
    return result


# ----------------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------------

def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]], text_cols: int = 2) -> list[str]:
    widths = [max(_width(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) if i < text_cols else " " * (w - _width(c)) + c
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return [line(header)] + [line(r) for r in rows]


def report(rows: list[dict], click: dict | None, engines: list[str]) -> str:
    lines = batch_report(rows, engines) if rows else []
    if click:
        lines += button_report(click)
    return "\n".join(lines)


def batch_report(rows: list[dict], engines: list[str]) -> list[str]:
    lines = ["批量：每项在新进程中运行；秒 = 进程内计时（含所需库的导入）；CPU 秒含工作进程", ""]
    header = ["文件数", "测量", "CPU秒", "墙钟秒", "文件/秒", "毫秒/文件", "峰值内存MB"]
    table = []
    for r in rows:
        name = LABELS[r["kind"]] + (f" [{r['engine']}]" if r["engine"] and len(engines) > 1 else "")
        table.append([str(r["files"]), name, f"{r['cpu']:.2f}", f"{r['wall']:.2f}",
                      f"{r['files'] / r['cpu']:.1f}" if r["cpu"] else "-", f"{1000 * r['cpu'] / r['files']:.2f}",
                      f"{r['peak_mb']:.0f}"])
    lines += _table(header, table)
    sizes = sorted({r["files"] for r in rows})
    lines += ["", f"比值（目标：校验+汇总 ours/floor ≤ {TARGET_FLOOR:g}×，naive/ours ≥ {TARGET_NAIVE:g}×；"
                  "按 CPU 秒 = 花掉的计算量，按墙钟秒 = 用户等的时间；下限和朴素脚本都是单进程）："]
    ratio_rows = []
    for engine in engines:
        tag = f" [{engine}]" if len(engines) > 1 else ""
        for n in sizes:
            floor, naive = _find(rows, n, "floor", None), _find(rows, n, "naive", None)
            for kind in _ours_kinds(rows, engine):
                ours = _find(rows, n, kind, engine)
                ratio_rows.append([str(n), LABELS[kind] + tag] + [
                    f"{ours[t] / floor[t]:.1f}×" if floor[t] else "-" for t in ("cpu", "wall")] + [
                    f"{naive[t] / ours[t]:.2f}×" if ours[t] else "-" for t in ("cpu", "wall")])
    lines += _table(["文件数", "测量", "ours/floor CPU", "ours/floor 墙钟", "naive/ours CPU", "naive/ours 墙钟"],
                    ratio_rows)
    if len(sizes) > 1:
        lines += ["", "增长（毫秒/文件，按 CPU 秒；最大规模 ÷ 最小规模，线性增长约为 1.0）："]
        for engine in engines:
            for kind in ("floor", "naive", *_ours_kinds(rows, engine)):
                per = [1000 * _find(rows, n, kind, engine if kind not in ("floor", "naive") else None)["cpu"] / n
                       for n in sizes]
                if kind in ("floor", "naive") and engine != engines[0]:
                    continue
                tag = f" [{engine}]" if len(engines) > 1 and kind not in ("floor", "naive") else ""
                lines.append(f"  {LABELS[kind]}{tag}：" + " → ".join(f"{p:.2f}" for p in per)
                             + f"（{per[-1] / per[0]:.2f}）")
    largest = max(sizes)
    lines += ["", f"峰值内存（{largest} 个文件，目标 < {TARGET_MEMORY_MB} MB）："]
    for engine in engines:
        tag = f" [{engine}]" if len(engines) > 1 else ""
        for kind in [k for k in _ours_kinds(rows, engine) if k != "ours"]:
            row = _find(rows, largest, kind, engine)
            extra = ""
            if "worker_peak_mb" in row:
                how = "同时占用，每 10 毫秒采样" if row.get("tree_peak_mb") else "上限：主进程与各工作进程峰值之和"
                extra = (f"（{how}；主进程峰值 {row['own_peak_mb']:.0f} MB，"
                         f"每个工作进程峰值 {row['worker_peak_mb']:.0f} MB）")
            lines.append(f"  {LABELS[kind]}{tag}：{row['peak_mb']:.0f} MB{extra}")
    return lines


def _ours_kinds(rows: list[dict], engine: str | None) -> list[str]:
    kinds = ["validate", "consolidate", "ours", "demo", "parallel"]
    return [k for k in kinds if any(r["kind"] == k and r["engine"] == engine for r in rows)]


def button_report(click: dict) -> list[str]:
    lines = ["", f"按钮：校验一个工作簿（{click['workbook']}，{click['findings']} 条问题）的新进程 vs "
                 f"python -c \"import xlwings\"，各 {click['repeats']} 次取中位数（目标：相差 ≤ {TARGET_CLICK_S} 秒）"]
    lines += _table(["测量", "墙钟秒", "CPU秒", "峰值内存MB"], [
        ["import xlwings", f"{click['bare']['wall']:.3f}", f"{click['bare']['cpu']:.3f}",
         f"{click['bare']['peak_mb']:.0f}"],
        ["校验 click", f"{click['click']['wall']:.3f}", f"{click['click']['cpu']:.3f}",
         f"{click['click']['peak_mb']:.0f}"],
    ], text_cols=1)
    lines.append(f"  相差：墙钟 {click['wall_diff']:+.3f} 秒，CPU {click['cpu_diff']:+.3f} 秒")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="基准测试：批量校验/汇总与解析下限、朴素脚本对比；校验按钮的进程耗时")
    parser.add_argument("--sizes", default="21,210,2100", help="工作簿个数，逗号分隔（默认 21,210,2100）")
    parser.add_argument("--quick", action="store_true", help="只测 21 和 210 个工作簿")
    parser.add_argument("--engines", help="校验/汇总使用的读取引擎，逗号分隔（默认：库的默认引擎）")
    parser.add_argument("--repeats", type=int, default=7, help="按钮测量的重复次数（默认 7）")
    parser.add_argument("--no-button", action="store_true", help="不测按钮")
    parser.add_argument("--no-batch", action="store_true", help="不测批量")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="生成的工作簿缓存目录")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="结果另存为 JSON 的位置")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.folder, args.out, args.engine)
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sizes = [21, 210] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",")] if args.engines else [None]
    rows = batch(sizes, engines, args.cache, log) if not args.no_batch else []
    click = button(args.cache, args.repeats, log) if not args.no_button else None
    if rows:
        used = sorted({e for r in rows for e in r.get("engines_used", ())})
        print(f"校验/汇总实际使用的读取引擎：{'、'.join(used)}")
    print(report(rows, click, engines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"batch": rows, "button": click},
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
