"""The JSON API of ``xl-tools serve`` answers what the CLI answers, on a real server over real HTTP."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import httpx
import openpyxl
import pytest
from hostile_fixtures import seed_city_workbooks
from web_fixtures import RunningServer, cli, cli_consolidate, cli_validate_json

NAMES = ["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"]
BROKEN = b"PK\x03\x04 this is not really a workbook"


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    seed_city_workbooks(folder)
    (folder / "损坏.xlsx").write_bytes(BROKEN)
    return folder


@pytest.fixture(scope="module")
def server():
    running = RunningServer()
    yield running
    running.stop()


def _files(folder: Path, names):
    return [("files", (n, (folder / n).read_bytes(),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")) for n in names]


def _filename(response: httpx.Response) -> str:
    """The name a browser saves a download under (RFC 6266: ``filename*`` over ``filename``)."""
    header = response.headers["content-disposition"]
    assert header.startswith("attachment;") and header.isascii() and "\n" not in header
    star = re.search(r"filename\*=UTF-8''([A-Za-z0-9%._~!$&'()*+,=:@-]+)$", header)
    assert star and re.search(r'filename="[ -~]*";', header), header
    return unquote(star.group(1))


def test_validate_answers_the_cli_json_document(server, seed):
    names = NAMES + ["损坏.xlsx"]
    response = httpx.post(f"{server.url}/api/validate", files=_files(seed, names), timeout=60)
    assert response.status_code == 200
    assert response.json() == cli_validate_json(seed, names)
    assert response.headers["x-xl-batch"]


def test_consolidate_answers_the_cli_workbook_byte_for_byte(server, seed, tmp_path):
    names = NAMES + ["损坏.xlsx"]
    response = httpx.post(f"{server.url}/api/consolidate", files=_files(seed, names), timeout=60)
    assert response.status_code == 200
    assert _filename(response) == "广东省汇总.xlsx"
    assert response.content == cli_consolidate(seed, names, tmp_path / "广东省汇总.xlsx")


def test_page_consolidates_an_earlier_upload_with_the_cli_summary(server, seed, tmp_path):
    validated = httpx.post(f"{server.url}/api/validate", files=_files(seed, NAMES), timeout=60)
    batch = validated.headers["x-xl-batch"]
    response = httpx.post(f"{server.url}/api/consolidate", params={"batch": batch, "format": "json"}, timeout=60)
    assert response.status_code == 200
    done = cli("consolidate", *NAMES, "-o", str(tmp_path / "广东省汇总.xlsx"), "--json", cwd=seed)
    expected = json.loads(done.stdout)
    summary = response.json()["summary"]
    expected["output"] = summary["output"] = None
    assert summary == expected
    workbook = httpx.get(server.url + response.json()["download"], timeout=60)
    assert workbook.content == (tmp_path / "广东省汇总.xlsx").read_bytes()


def test_marked_copy_is_the_annotate_output(server, seed, tmp_path):
    validated = httpx.post(f"{server.url}/api/validate", files=_files(seed, ["深圳.xlsx", "损坏.xlsx"]), timeout=60)
    batch = validated.headers["x-xl-batch"]
    marked = httpx.get(f"{server.url}/api/batches/{batch}/0/marked", timeout=60)
    assert marked.status_code == 200 and _filename(marked) == "深圳.校验.xlsx"
    local = tmp_path / "cli"
    local.mkdir()
    shutil.copy(seed / "深圳.xlsx", local)
    assert cli("validate", "深圳.xlsx", "--annotate", cwd=local).returncode == 1
    cli_copy = local / "深圳.校验.xlsx"
    assert marked.content == cli_copy.read_bytes()                  # the very file --annotate writes
    web_copy = tmp_path / "web.xlsx"
    web_copy.write_bytes(marked.content)
    a, b = openpyxl.load_workbook(cli_copy), openpyxl.load_workbook(web_copy)
    assert a.sheetnames == b.sheetnames and "校验结果" in b.sheetnames
    for ws in a.worksheets:
        other = b[ws.title]
        assert [[(c.value, c.fill.fgColor.rgb, c.comment.text if c.comment else None) for c in row]
                for row in ws.iter_rows()] == \
               [[(c.value, c.fill.fgColor.rgb, c.comment.text if c.comment else None) for c in row]
                for row in other.iter_rows()]
    unreadable = httpx.get(f"{server.url}/api/batches/{batch}/1/marked", timeout=60)
    assert unreadable.status_code == 422 and "无法作为绩效目标表读取" in unreadable.json()["error"]
    assert "/tmp" not in unreadable.json()["error"] and "xl_tools_web_" not in unreadable.json()["error"]


def test_template_download_is_the_cli_template(server, tmp_path):
    response = httpx.get(f"{server.url}/api/template", timeout=60)
    assert response.status_code == 200 and _filename(response) == "绩效目标表模板.xlsx"
    assert cli("template", "-o", str(tmp_path / "t.xlsx")).returncode == 0
    assert response.content == (tmp_path / "t.xlsx").read_bytes()


def test_pages_and_assets_come_from_the_package(server):
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and "绩效目标表" in page.text
    for asset in ("app.js", "common.js", "style.css"):
        assert f"/static/{asset}" in page.text or asset == "common.js"
        got = httpx.get(f"{server.url}/static/{asset}")
        assert got.status_code == 200 and len(got.content) > 200
    assert "http" not in page.text.replace(server.url, "")        # no CDN
    assert httpx.get(server.url + "/static/..%2Fapp.py").status_code == 404
    assert httpx.get(server.url + "/desk").status_code == 404           # no --desk: a Chinese page says so
