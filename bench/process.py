"""Process wall time of the commands users wait for, this checkout against another one, in one run.

Each round runs, alternately for both checkouts, ``xl-tools validate`` and ``xl-tools consolidate`` on the same
21 generated city workbooks (a province's submission), as fresh processes from start to exit; the medians and
their ratio (this / other) are printed. ``python -c "import xlwings"`` is timed in the same rounds as the floor
of a 校验 click (bench/run.py measures the click itself).

    python bench/process.py --before /path/to/old/checkout          # 21 workbooks, 7 rounds
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
ROOT = HERE.parent


def _wall(argv: list[str], env: dict, cwd: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="两份代码的命令进程耗时对比（同一轮交替运行）")
    parser.add_argument("--before", type=Path, required=True, help="对比的另一份代码（如改动前的检出）")
    parser.add_argument("--count", type=int, default=21, help="工作簿个数（默认 21）")
    parser.add_argument("--repeats", type=int, default=7, help="重复轮数（默认 7）")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="生成的工作簿缓存目录")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from generate import ensure_pool, size_folder

    ensure_pool(args.cache, args.count)
    folder = size_folder(args.cache, args.count)
    work = tempfile.mkdtemp(prefix="xl_tools_bench_process_")
    trees = {"after": ROOT, "before": args.before.resolve()}
    envs = {k: {**os.environ, "PYTHONPATH": str(v), "XL_TOOLS_LOG_DIR": work,
                "XLWINGS_LICENSE_KEY": "noncommercial"} for k, v in trees.items()}
    commands = {
        "validate": lambda: [sys.executable, "-m", "xl_tools", "validate", str(folder), "--json"],
        "consolidate": lambda: [sys.executable, "-m", "xl_tools", "consolidate", str(folder), "-o",
                                str(Path(work) / "汇总.xlsx"), "--jobs", "1"],
    }
    times: dict[tuple[str, str], list[float]] = {}
    floor: list[float] = []
    for _ in range(args.repeats):
        floor.append(_wall([sys.executable, "-c", "import xlwings"], envs["after"], work))
        for name, make in commands.items():
            for tree in trees:
                times.setdefault((name, tree), []).append(_wall(make(), envs[tree], work))
    print(f"{args.count} workbooks, {args.repeats} rounds (medians, process start to exit)")
    print(f"python -c 'import xlwings': {statistics.median(floor):.3f} s")
    for name in commands:
        after = statistics.median(times[(name, "after")])
        before = statistics.median(times[(name, "before")])
        print(f"xl-tools {name:<12} before {before:.3f} s  after {after:.3f} s  after/before {after / before:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
