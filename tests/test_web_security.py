"""Security of the web page: access code, upload limits, names never paths, safe headers, no stack traces."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from hostile_fixtures import LOL, first_sheet_part, parts, rezip, seed_city_workbooks, with_prolog
from web_fixtures import RunningServer, cli_validate_json

from xl_tools.web.security import code_matches, content_disposition
from xl_tools.web.uploads import MAX_FILE_BYTES, MAX_FILES, safe_name

CODE = "test-code-7k2m9"


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    seed_city_workbooks(folder)
    return folder


@pytest.fixture(scope="module")
def guarded():
    running = RunningServer(code=CODE)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server():
    running = RunningServer()
    yield running
    running.stop()


def test_without_the_access_code_nothing_but_static_assets_answers(guarded, seed):
    files = [("files", ("广州.xlsx", (seed / "广州.xlsx").read_bytes()))]
    refused = httpx.post(f"{guarded.url}/api/validate", files=files)
    assert refused.status_code == 401 and "需要访问码" in refused.json()["error"]
    wrong = httpx.post(f"{guarded.url}/api/validate", files=files, headers={"X-Access-Code": CODE[:-1] + "x"})
    assert wrong.status_code == 401
    page = httpx.get(guarded.url + "/")
    assert page.status_code == 401 and "请输入访问码" in page.text and "绩效目标表 校验与汇总" not in page.text
    assert httpx.get(f"{guarded.url}/api/desk").status_code == 401
    assert httpx.get(f"{guarded.url}/static/style.css").status_code == 200

    ok = httpx.post(f"{guarded.url}/api/validate", files=files, headers={"X-Access-Code": CODE})
    assert ok.status_code == 200 and ok.json()["files"][0]["city"] == "广州"
    bearer = httpx.get(f"{guarded.url}/api/info", headers={"Authorization": f"Bearer {CODE}"})
    assert bearer.status_code == 200


def test_the_address_with_the_code_logs_the_browser_in(guarded):
    with httpx.Client(base_url=guarded.url) as browser:
        entry = browser.get(f"/?code={CODE}")
        assert entry.status_code == 303 and entry.headers["location"] == "/"
        cookie = entry.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = browser.get("/")                             # the cookie from now on
        assert page.status_code == 200 and "绩效目标表 校验与汇总" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]      # no inline or foreign code
        assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
        assert browser.get("/api/info").status_code == 200
    assert httpx.get(f"{guarded.url}/?code=wrong").status_code == 401


def test_code_comparison():
    assert code_matches(CODE, CODE) and not code_matches(CODE + "x", CODE)
    assert not code_matches("", CODE) and not code_matches(None, CODE) and code_matches("验证码", "验证码")


def test_too_many_files_in_one_request_is_refused_in_chinese(server):
    before = set(server.app.state.batches.root.iterdir())
    files = [("files", (f"{i}.xlsx", b"x")) for i in range(MAX_FILES + 1)]
    response = httpx.post(f"{server.url}/api/validate", files=files, timeout=60)
    assert response.status_code == 413 and f"一次最多上传 {MAX_FILES} 个文件" in response.json()["error"]
    assert set(server.app.state.batches.root.iterdir()) == before          # nothing kept of a refused request


def test_as_many_files_as_allowed_are_all_answered(server):
    files = [("files", (f"第{i}个.xlsx", b"not a workbook")) for i in range(MAX_FILES)]
    response = httpx.post(f"{server.url}/api/validate", files=files, timeout=120)
    assert response.status_code == 200
    assert [f["path"] for f in response.json()["files"]] == [f"第{i}个.xlsx" for i in range(MAX_FILES)]


def test_a_file_over_the_size_limit_is_refused_in_chinese(server):
    before = set(server.app.state.batches.root.iterdir())
    big = b"\0" * (MAX_FILE_BYTES + 1)
    response = httpx.post(f"{server.url}/api/validate", files=[("files", ("大文件.xlsx", big))], timeout=120)
    assert response.status_code == 413
    assert "文件“大文件.xlsx”超过 20 MB" in response.json()["error"]
    assert set(server.app.state.batches.root.iterdir()) == before          # nothing kept of it


def test_file_names_never_become_paths(seed, tmp_path):
    content = (seed / "广州.xlsx").read_bytes()
    hostile = ["../../逃逸.xlsx", "..\\..\\C盘.xlsx", "/etc/passwd", "C:\\Users\\张三\\广州.xlsx", "con.xlsx",
               "<script>alert(1)</script>.xlsx", "a\x00b.xlsx", "...", ""]
    root = tmp_path / "work" / "batches"
    server = RunningServer(batches_root=root)
    try:
        files = [("files", (name, content)) for name in hostile]
        response = httpx.post(f"{server.url}/api/validate", files=files, timeout=60)
    finally:
        server.stop()
    assert response.status_code == 200
    shown = [f["path"] for f in response.json()["files"]]
    assert shown[:4] == ["逃逸.xlsx", "C盘.xlsx", "passwd", "广州.xlsx"]
    assert response.json()["files"][3]["city"] == "广州"               # the city hint of the name is kept
    outside = [p for p in tmp_path.rglob("*") if root not in p.parents and p != root]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in outside) == ["work"]


def test_safe_names():
    assert safe_name("广州.xlsx") == "广州.xlsx"
    assert safe_name("../../逃逸.xlsx") == "逃逸.xlsx"
    assert safe_name("con.xlsx") == "_con.xlsx"
    assert safe_name('a<b>:"|?*.xlsx') == "a_b______.xlsx"
    assert safe_name("..") == "未命名.xlsx" and safe_name("") == "未命名.xlsx"
    assert len(safe_name("长" * 500 + ".xlsx")) <= 120 and safe_name("长" * 500 + ".xlsx").endswith(".xlsx")
    assert safe_name("~$广州.xlsx") == "~$广州.xlsx"                  # the lock-file message still applies


def test_content_disposition_is_safe_for_chinese_and_hostile_names():
    header = content_disposition("广州.校验.xlsx")
    assert header == ("attachment; filename=\"download.xlsx\"; "
                      "filename*=UTF-8''%E5%B9%BF%E5%B7%9E.%E6%A0%A1%E9%AA%8C.xlsx")
    evil = content_disposition('x"; filename="evil.exe\r\nSet-Cookie: a=b.xlsx')
    assert "\r" not in evil and "\n" not in evil and evil.isascii()
    assert evil.count('"') == 2 and "filename=\"x__ filename=_evil.exeSet-Cookie: a=b.xlsx\"" in evil


def test_hostile_content_gets_the_cli_message(server, seed, tmp_path):
    bomb = tmp_path / "实体.xlsx"
    member = first_sheet_part(seed / "广州.xlsx")
    rezip(seed / "广州.xlsx", bomb, {member: with_prolog(parts(seed / "广州.xlsx")[member], LOL)})
    response = httpx.post(f"{server.url}/api/validate", files=[("files", ("实体.xlsx", bomb.read_bytes()))])
    assert response.json() == cli_validate_json(tmp_path, ["实体.xlsx"])
    assert response.json()["files"][0]["findings"][0]["code"] == "not-a-form"


def test_requests_from_other_sites_are_refused(server, seed):
    files = [("files", ("广州.xlsx", (seed / "广州.xlsx").read_bytes()))]
    response = httpx.post(f"{server.url}/api/validate", files=files, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403 and "其他网站" in response.json()["error"]
    same = httpx.post(f"{server.url}/api/validate", files=files, headers={"Origin": server.url})
    assert same.status_code == 200


def test_a_failure_inside_the_server_is_logged_and_never_shown(tmp_path, caplog):
    from xl_tools.web.desk import Desk

    desk = Desk(tmp_path / "desk")
    running = RunningServer(desk=desk)
    try:
        desk.close()                               # the database goes away under the running server
        with caplog.at_level(logging.ERROR, logger="xl_tools.web"):
            response = httpx.get(f"{running.url}/api/desk")
        assert response.status_code == 500
        message = response.json()["error"]
        assert message.startswith("服务器处理时出错") and "Traceback" not in response.text
        assert "sqlite" not in response.text.lower() and "ProgrammingError" not in response.text
        assert any(r.exc_info for r in caplog.records if r.name == "xl_tools.web")     # logged, with the trace
    finally:
        running.stop()


def test_unknown_batches_and_bad_requests_answer_in_chinese(server):
    missing = httpx.get(f"{server.url}/api/batches/nope/0/marked")
    assert missing.status_code == 404 and "请重新上传" in missing.json()["error"]
    not_multipart = httpx.post(f"{server.url}/api/validate", content=b"{}",
                               headers={"Content-Type": "application/json"})
    assert not_multipart.status_code == 400 and "multipart/form-data" in not_multipart.json()["error"]
    nothing = httpx.post(f"{server.url}/api/validate", files=[("other", ("a.xlsx", b"x"))])
    assert nothing.status_code == 400 and "没有收到文件" in nothing.json()["error"]
    cut = httpx.post(f"{server.url}/api/validate", content=b"--b\r\nContent-Disposition: form-data; name=\"files\"; "
                     b"filename=\"a.xlsx\"\r\n\r\nabc", headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert cut.status_code == 400 and "不完整" in cut.json()["error"]
