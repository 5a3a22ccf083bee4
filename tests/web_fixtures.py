"""Helpers of the web-page tests: a real uvicorn server in a thread, the CLI as a subprocess, headless chromium.

The browser is Debian's chromium driven through Debian's chromedriver (never a downloaded one: SE_OFFLINE).
Browser tests skip when /usr/bin/chromium is missing, unless XL_TOOLS_REQUIRE_BROWSER is set (CI): then fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRE_ENV = "XL_TOOLS_REQUIRE_BROWSER"
ARTIFACTS_ENV = "XL_TOOLS_ARTIFACTS"


class RunningServer:
    """``xl_tools.web`` on a free loopback port, served by uvicorn in a thread (stopped with ``stop()``)."""

    def __init__(self, *, desk=None, code: str | None = None, host: str = "127.0.0.1",
                 batches_root: Path | None = None) -> None:
        from xl_tools.web.app import create_app
        from xl_tools.web.server import bind, make_server

        self.sock = bind(host, 0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.app = create_app(desk=desk, code=code, batches_root=batches_root)
        self.server = make_server(self.app)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()
        assert not self.thread.is_alive(), "server thread did not stop"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``xl-tools args…`` as a user runs it (this worktree's package first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "xl_tools", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def cli_validate_json(folder: Path, names: list[str]) -> dict:
    """The ``xl-tools validate --json`` document of ``names`` run inside ``folder``."""
    done = cli("validate", *names, "--json", cwd=folder)
    assert done.returncode in (0, 1, 2), done.stderr
    return json.loads(done.stdout)


def cli_consolidate(folder: Path, names: list[str], output: Path) -> bytes:
    done = cli("consolidate", *names, "-o", str(output), cwd=folder)
    assert done.returncode in (0, 1), done.stderr
    return output.read_bytes()


def require_browser() -> None:
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    reason = "没有安装 Debian 的 chromium 和 chromium-driver：sudo apt-get install chromium chromium-driver"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} 已设置，但{reason}", pytrace=False)
    pytest.skip(reason)


def chromium(download_dir: Path, profile_dir: Path):
    """A headless Debian chromium (Selenium without Selenium Manager) downloading into ``download_dir``."""
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile_dir}", "--window-size=1280,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "safebrowsing.enabled": False,
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    driver.set_page_load_timeout(60)
    return driver


def wait_for_download(folder: Path, name: str, timeout: float = 30) -> Path:
    target = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.exists() and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return target
        time.sleep(0.1)
    raise AssertionError(f"download {name} did not arrive; folder has {sorted(p.name for p in folder.iterdir())}")


def screenshot(driver, png: Path) -> Path:
    """The whole page (not just the window) as a PNG at ``png``, also copied to $XL_TOOLS_ARTIFACTS."""
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], min(max(height + 140, size["height"]), 6000))
    try:
        driver.save_screenshot(str(png))
    finally:
        driver.set_window_size(size["width"], size["height"])
    save_artifact(png)
    return png


def save_artifact(png: Path) -> None:
    """Also copy a screenshot to $XL_TOOLS_ARTIFACTS (to look at it after the run)."""
    target = os.environ.get(ARTIFACTS_ENV)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / png.name).write_bytes(png.read_bytes())
