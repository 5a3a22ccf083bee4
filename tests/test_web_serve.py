"""``xl-tools serve`` as a user starts it: address printed, port taken, Ctrl+C, the LAN access code, light imports."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from web_fixtures import ROOT, cli, free_port


def _start(*args: str, browser: bool = False, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """``xl-tools serve args…`` in the background; the first line it prints (the address)."""
    env = {**(env if env is not None else os.environ), "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    flags = [] if browser else ["--no-browser"]
    proc = subprocess.Popen([sys.executable, "-m", "xl_tools", "serve", *flags, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    first = proc.stdout.readline()
    return proc, first


def _stop(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX")
def test_serve_prints_the_address_answers_and_stops_cleanly_on_ctrl_c():
    port = free_port()
    proc, first = _start("--port", str(port))
    try:
        assert first.strip() == f"网页版已启动：http://127.0.0.1:{port}/"
        assert proc.stdout.readline().strip() == "按 Ctrl+C 停止。"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "绩效目标表 校验与汇总" in page.text
    finally:
        code, out, err = _stop(proc)
    assert code == 0
    assert "网页版已停止" in err and "Traceback" not in err and "KeyboardInterrupt" not in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="desktop detection by DISPLAY is for Linux")
def test_without_no_browser_the_desktop_browser_opens_the_address(tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {opened}\n", encoding="utf-8")
    browser.chmod(0o755)
    port = free_port()
    env = {**os.environ, "DISPLAY": ":99", "BROWSER": f"{browser} %s"}
    proc, first = _start("--port", str(port), browser=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text(encoding="utf-8").strip() == f"http://127.0.0.1:{port}/"
    finally:
        _stop(proc)
    headless = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc, first = _start("--port", str(port), browser=True, env=headless)
    try:
        assert proc.stdout.readline().strip() == "按 Ctrl+C 停止。"
        assert "没有图形桌面，未自动打开浏览器" in proc.stdout.readline()
        assert httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=30).status_code == 200
    finally:
        _stop(proc)


def test_a_taken_port_says_so_in_chinese_and_exits_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = cli("serve", "--no-browser", "--port", str(port), timeout=60)
    assert done.returncode == 2
    assert f"端口 {port} 已被占用" in done.stderr and "--port" in done.stderr and "Traceback" not in done.stderr


def test_bad_arguments_exit_2_in_chinese():
    done = cli("serve", "--no-browser", "--port", "70000")
    assert done.returncode == 2 and "端口 70000 不对" in done.stderr
    done = cli("serve", "--no-browser", "--host", "0.0.0.0", "--token", "abc")
    assert done.returncode == 2 and "访问码太短" in done.stderr


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX")
def test_opening_to_the_lan_requires_the_printed_access_code():
    port = free_port()
    proc, first = _start("--host", "0.0.0.0", "--port", str(port))
    try:
        code_line = proc.stdout.readline()
        match = re.search(r"访问码：([a-z0-9]+)", code_line)
        assert match, code_line
        code = match.group(1)
        assert first.strip().endswith(f":{port}/?code={code}")
        assert httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=30).status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/api/info", headers={"X-Access-Code": code}).status_code == 200
    finally:
        _stop(proc)


def test_cli_and_ribbon_imports_stay_free_of_the_web_stack():
    script = ("import sys, xl_tools.excel, xl_tools.cli; xl_tools.cli.build_parser(); "
              "assert 'xl_tools.web.server' not in sys.modules; "
              "import xl_tools.web, xl_tools.web.security, xl_tools.web.uploads, xl_tools.web.server; "
              "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
              "('starlette', 'uvicorn', 'python_multipart', 'multipart', 'anyio', 'httpx', 'h11')); print(heavy)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_serve_is_documented_with_an_example():
    done = cli("serve", "--help")
    assert done.returncode == 0 and "--desk" in done.stdout and "xl-tools serve --desk" in done.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for route in ("POST /api/validate", "POST /api/consolidate", "GET /api/desk", "xl-tools serve"):
        assert route in readme, route
