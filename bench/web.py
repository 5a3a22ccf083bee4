"""Benchmark of the web page (``xl-tools serve``) against the command line on the same files, in one run.

    python bench/web.py                     # the 4 seed city workbooks and 210 generated ones
    python bench/web.py --sizes 4 --repeats 1 --no-browser

For each set of files, each measured ``--repeats`` times (median wall seconds; the machine's other load
shows in wall time, so read the ratios, not the seconds):

- 命令行 CLI         ``xl-tools validate 文件… --json`` then ``xl-tools consolidate 文件… -o 汇总.xlsx``, each a
                     fresh process as a user runs them (interpreter start and imports included);
- 命令行（进程内）    the same two commands through ``xl_tools.cli.main`` in this (warm) process: the work alone;
- 接口 API           what the page sends, over HTTP to a running server: the files in requests of 40 to
                     ``POST /api/validate``, then ``POST /api/consolidate?batch=…`` and the workbook's download;
- 网页 page          the real page in headless Debian chromium, timed inside the page: from choosing the files
                     to every row shown, then 汇总 clicked and its total shown (rendering included; the
                     workbook download not).

Server start: ``xl-tools serve --no-browser`` started fresh, until its first answer to ``GET /api/info``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
CHUNK = 40                                  # as xl_tools/web/static/app.js
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_files(folder: Path) -> list[Path]:
    from xl_tools.annex import import_annex

    seed = ROOT.parent / "shared" / "seed" / "000_6aaa9fa76d18eacb.txt"
    annex = seed if seed.exists() else ROOT / "xl_tools" / "data" / "annex_2020.txt"
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(p) for p in import_annex(annex, folder)]


def generated_files(count: int) -> list[Path]:
    import generate

    folder = generate.size_folder(generate.DEFAULT_CACHE, count, log=lambda *a: print(*a, file=sys.stderr))
    return sorted(folder.glob("*.xlsx"))


def start_server() -> tuple[subprocess.Popen, str, float]:
    """A fresh ``xl-tools serve``; its address and the seconds from start to its first answer."""
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "xl_tools", "serve", "--no-browser", "--port", str(port)],
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        try:
            if httpx.get(url + "/api/info", timeout=1).status_code == 200:
                return proc, url, time.perf_counter() - start
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise SystemExit("服务器没能启动：" + proc.stderr.read().decode("utf-8", "replace"))
        time.sleep(0.005)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def api_roundtrip(url: str, files: list[Path], client) -> float:
    start = time.perf_counter()
    batches = []
    for i in range(0, len(files), CHUNK):
        part = [("files", (p.name, p.read_bytes())) for p in files[i:i + CHUNK]]
        response = client.post(url + "/api/validate", files=part)
        assert response.status_code == 200 and len(response.json()["files"]) == len(part)
        batches.append(response.headers["x-xl-batch"])
    done = client.post(url + "/api/consolidate", params={"batch": ",".join(batches), "format": "json"})
    assert done.status_code == 200, done.text
    workbook = client.get(url + done.json()["download"])
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    return time.perf_counter() - start


def cli_commands(files: list[Path], out: Path) -> float:
    start = time.perf_counter()
    args = [str(p) for p in files]
    for argv in (["validate", *args, "--json"], ["consolidate", *args, "-o", str(out)]):
        done = subprocess.run([sys.executable, "-m", "xl_tools", *argv], env=_env(), capture_output=True)
        assert done.returncode in (0, 1), done.stderr.decode("utf-8", "replace")
    return time.perf_counter() - start


def cli_in_process(files: list[Path], out: Path) -> float:
    from xl_tools.cli import main

    args = [str(p) for p in files]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["validate", *args, "--json"])
        main(["consolidate", *args, "-o", str(out)])
    return time.perf_counter() - start


def browser(tmp: Path):
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={tmp / 'profile'}", "--window-size=1280,1000"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


# Timed inside the page (performance.now), so the driver's polling is not counted: from the file input's change
# event to the 汇总 total shown; 汇总 is clicked by the page script as soon as the last row is in.
_TIMER = """
const n = arguments[0];
window.__bench = {};
document.getElementById('files').addEventListener('change', () => { window.__bench.start = performance.now(); },
                                                  {capture: true});
const tick = setInterval(() => {
  const t = window.__bench;
  if (t.start === undefined) return;
  const rows = document.querySelectorAll('#file-table tr.file-row').length;
  if (t.rows === undefined && rows === n && document.getElementById('busy').hidden) {
    t.rows = performance.now();
    document.getElementById('consolidate').click();
  } else if (t.rows !== undefined && !document.getElementById('consolidation').hidden) {
    t.done = performance.now();
    clearInterval(tick);
  }
}, 2);
"""


def page_roundtrip(url: str, files: list[Path], driver) -> float:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/")
    WebDriverWait(driver, 60, 0.05).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
    driver.execute_script(_TIMER, len(files))
    driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in files))
    timing = WebDriverWait(driver, 600, 0.2).until(
        lambda d: d.execute_script("return window.__bench.done !== undefined && window.__bench"))
    assert driver.find_element(By.ID, "cons-total").text
    return (timing["done"] - timing["start"]) / 1000


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used so far; None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_size(files, out, url, client, driver, server_pid, repeats: int) -> dict:
    """Each way ``repeats`` times, interleaved (so the machine's other load falls on all of them alike)."""
    runs: dict[str, list[float]] = {"cli_s": [], "cli_in_process_s": [], "cli_cpu_s": [], "api_s": [],
                                    "api_server_cpu_s": [], "page_s": []}
    for _ in range(repeats):
        runs["cli_s"].append(cli_commands(files, out))
        cpu = time.process_time()
        runs["cli_in_process_s"].append(cli_in_process(files, out))
        runs["cli_cpu_s"].append(time.process_time() - cpu)
        before = process_cpu(server_pid)
        runs["api_s"].append(api_roundtrip(url, files, client))
        after = process_cpu(server_pid)
        if before is not None and after is not None:
            runs["api_server_cpu_s"].append(after - before)
        if driver is not None:
            runs["page_s"].append(page_roundtrip(url, files, driver))
    return {"files": len(files), **{k: statistics.median(v) for k, v in runs.items() if v}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="网页版基准：网页/接口往返与命令行在同一批文件上对比；服务器启动到首次应答")
    parser.add_argument("--sizes", default="4,210", help="文件个数，逗号分隔；4 = 附件的四个地市（默认 4,210）")
    parser.add_argument("--repeats", type=int, default=3, help="每项重复次数，取中位数（默认 3）")
    parser.add_argument("--no-browser", action="store_true", help="不用 chromium 测网页")
    parser.add_argument("--json", metavar="文件", help="另存结果（JSON）")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    use_browser = not args.no_browser and Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()

    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="xl_tools_bench_web_"))
    results: dict = {"sizes": [], "server_start_s": None}
    try:
        starts = []
        for _ in range(max(3, args.repeats)):
            proc, _url, seconds = start_server()
            stop_server(proc)
            starts.append(seconds)
        results["server_start_s"] = statistics.median(starts)

        proc, url, _ = start_server()
        driver = browser(tmp) if use_browser else None
        try:
            with httpx.Client(timeout=600) as client:
                for n in sizes:
                    files = seed_files(tmp / "seed") if n == 4 else generated_files(n)
                    out = tmp / f"cli-{n}.xlsx"
                    cli_in_process(files, out)                        # warm this process's imports
                    api_roundtrip(url, files, client)                 # and the server's
                    row = measure_size(files, out, url, client, driver, proc.pid, args.repeats)
                    results["sizes"].append(row)
        finally:
            if driver is not None:
                driver.quit()
            stop_server(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(report(results))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def report(results: dict) -> str:
    lines = [f"服务器启动到首次应答：{results['server_start_s']:.2f} 秒（xl-tools serve，新进程，中位数）", "",
             "墙钟秒（中位数）：", "",
             "| 文件数 | 命令行：两条命令（新进程） | 命令行：进程内 | 接口往返 | 网页往返（chromium） "
             "| 网页/命令行 | 网页/命令行进程内 | 接口/命令行进程内 |",
             "|---|---|---|---|---|---|---|---|"]
    for row in results["sizes"]:
        page = row.get("page_s")
        cells = [str(row["files"]), f"{row['cli_s']:.2f}", f"{row['cli_in_process_s']:.2f}", f"{row['api_s']:.2f}",
                 f"{page:.2f}" if page else "—", f"{page / row['cli_s']:.2f}×" if page else "—",
                 f"{page / row['cli_in_process_s']:.2f}×" if page else "—",
                 f"{row['api_s'] / row['cli_in_process_s']:.2f}×"]
        lines.append("| " + " | ".join(cells) + " |")
    cpu_rows = [r for r in results["sizes"] if r.get("api_server_cpu_s")]
    if cpu_rows:
        lines += ["", "CPU 秒（中位数；受机器上其他负载的影响小得多）：", "",
                  "| 文件数 | 命令行进程内 CPU | 服务器处理接口请求的 CPU | 服务器/命令行 |", "|---|---|---|---|"]
        for row in cpu_rows:
            lines.append(f"| {row['files']} | {row['cli_cpu_s']:.2f} | {row['api_server_cpu_s']:.2f} | "
                         f"{row['api_server_cpu_s'] / row['cli_cpu_s']:.2f}× |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
