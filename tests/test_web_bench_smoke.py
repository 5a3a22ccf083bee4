"""``bench/web.py`` runs end to end at its smallest size (no timing is asserted: figures vary by machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_web_bench_measures_every_column(tmp_path):
    out = tmp_path / "web.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "web.py"), "--sizes", "4", "--repeats", "1",
                           "--no-browser", "--json", str(out)], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "服务器启动到首次应答" in done.stdout and "| 4 |" in done.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["server_start_s"] > 0
    row = results["sizes"][0]
    assert row["files"] == 4
    for key in ("cli_s", "cli_in_process_s", "cli_cpu_s", "api_s"):
        assert row[key] > 0, key
