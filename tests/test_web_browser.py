"""The web page in a real headless browser (Debian chromium + chromedriver): what a city's staff does."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from hostile_fixtures import seed_city_workbooks
from web_fixtures import (
    RunningServer, chromium, cli, cli_consolidate, cli_validate_json, require_browser, screenshot, wait_for_download,
)

NAMES = ["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    seed_city_workbooks(folder)
    (folder / "说明.xlsx").write_bytes("这不是工作簿，只是一段文字。\n".encode("utf-8"))
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from xl_tools.web.desk import Desk

    require_browser()
    root = tmp_path_factory.mktemp("browser")
    downloads = root / "downloads"
    downloads.mkdir()
    desk = Desk(root / "desk")
    server = RunningServer(desk=desk)
    driver = chromium(downloads, root / "profile")
    try:
        yield server, driver, downloads, root
    finally:
        driver.quit()
        server.stop()
        desk.close()


def _wait(driver, condition, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _open(driver, url: str) -> None:
    driver.get(url)
    _wait(driver, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def _choose(driver, paths) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))


def _drop(driver, paths) -> None:
    """Drag real files onto the drop zone: a scratch file input holds them, a DragEvent carries them."""
    from selenium.webdriver.common.by import By

    driver.execute_script("const i = document.createElement('input'); i.type = 'file'; i.multiple = true;"
                          "i.id = 'drag-source'; i.hidden = true; document.body.append(i);")
    driver.find_element(By.ID, "drag-source").send_keys("\n".join(str(p) for p in paths))
    driver.execute_script("""
        const source = document.getElementById('drag-source');
        const carried = new DataTransfer();
        for (const f of source.files) carried.items.add(f);
        const zone = document.getElementById('drop');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, {dataTransfer: carried, bubbles: true, cancelable: true}));
        }
        source.remove();""")


def _rows(driver) -> dict[str, tuple[str, int, int]]:
    from selenium.webdriver.common.by import By

    out = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#file-table tr.file-row"):
        cell = lambda cls: row.find_element(By.CSS_SELECTOR, "td." + cls).text  # noqa: E731
        out[row.get_attribute("data-name")] = (cell("city"), int(cell("errors")), int(cell("warnings")))
    return out


def _upload_and_wait(driver, paths) -> dict:
    _choose(driver, paths)
    _wait(driver, lambda d: len(_rows(d)) == len(paths) and not d.find_element("id", "busy").is_displayed())
    return _rows(driver)


def test_four_seed_cities_show_the_cli_counts_and_download(site, seed):
    from selenium.webdriver.common.by import By

    server, driver, downloads, root = site
    _open(driver, server.url + "/")
    rows = _upload_and_wait(driver, [seed / n for n in NAMES])
    expected = cli_validate_json(seed, NAMES)
    assert rows == {f["path"]: (f["city"], f["errors"], f["warnings"]) for f in expected["files"]}
    assert list(rows) == NAMES                                      # in the order chosen, like the CLI

    # the findings are grouped per file, errors first, each with 单元格 / 说明 / 建议值
    article = driver.find_element(By.CSS_SELECTOR, "article.file[data-name='广州.xlsx']")
    severities = [r.get_attribute("data-severity") for r in article.find_elements(By.CSS_SELECTOR, "tr.finding")]
    assert severities == sorted(severities, key=["error", "warning", "info"].index) and "error" in severities
    first = expected["files"][0]["findings"][0]
    cells = article.find_elements(By.CSS_SELECTOR, "tr.finding")[0].find_elements(By.TAG_NAME, "td")
    assert [c.text for c in cells[1:3]] == [first["cell"], first["message"]]

    # filter by severity: only warnings stay visible
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "severity")).select_by_value("warning")
    visible = [r for r in article.find_elements(By.CSS_SELECTOR, "tr.finding") if r.is_displayed()]
    assert visible and all(r.get_attribute("data-severity") == "warning" for r in visible)
    Select(driver.find_element(By.ID, "severity")).select_by_value("all")

    # 汇总: the total, then the provincial workbook, the same bytes as the CLI's
    driver.find_element(By.ID, "consolidate").click()
    _wait(driver, lambda d: d.find_element(By.ID, "consolidation").is_displayed())
    assert driver.find_element(By.ID, "cons-total").text == "790"
    assert "跨地市问题" in driver.find_element(By.ID, "cross-head").text
    shot = screenshot(driver, root / "网页版-校验结果.png")
    assert shot.stat().st_size > 20_000

    driver.find_element(By.ID, "cons-download").click()
    provincial = wait_for_download(downloads, "广东省汇总.xlsx")
    book = openpyxl.load_workbook(provincial)
    assert "汇总表" in book.sheetnames
    assert provincial.read_bytes() == cli_consolidate(seed, NAMES, root / "cli汇总.xlsx")

    row = driver.find_element(By.CSS_SELECTOR, "#file-table tr.file-row[data-name='珠海.xlsx']")
    row.find_element(By.CSS_SELECTOR, "a.marked").click()
    marked = wait_for_download(downloads, "珠海.校验.xlsx")
    book = openpyxl.load_workbook(marked)
    assert "校验结果" in book.sheetnames and "珠海" in book.sheetnames
    local = root / "cli"
    local.mkdir()
    shutil.copy(seed / "珠海.xlsx", local)
    assert cli("validate", "珠海.xlsx", "--annotate", cwd=local).returncode == 1
    assert marked.read_bytes() == (local / "珠海.校验.xlsx").read_bytes()       # = validate --annotate


def test_a_bad_file_shows_its_message_and_the_others_still_work(site, seed):
    from selenium.webdriver.common.by import By

    server, driver, downloads, root = site
    _open(driver, server.url + "/")
    dropped = [seed / "深圳.xlsx", seed / "说明.xlsx", seed / "佛山.xlsx"]
    _drop(driver, dropped)                                        # dragged onto the page this time
    _wait(driver, lambda d: len(_rows(d)) == 3 and not d.find_element("id", "busy").is_displayed())
    rows = _rows(driver)
    expected = {f["path"]: f for f in cli_validate_json(seed, ["深圳.xlsx", "说明.xlsx", "佛山.xlsx"])["files"]}
    assert rows["深圳.xlsx"] == ("深圳", expected["深圳.xlsx"]["errors"], expected["深圳.xlsx"]["warnings"])
    assert rows["佛山.xlsx"][0] == "佛山"
    article = driver.find_element(By.CSS_SELECTOR, "article.file[data-name='说明.xlsx']")
    assert expected["说明.xlsx"]["findings"][0]["message"] in article.text
    assert "无法作为绩效目标表读取" in article.text and "Traceback" not in driver.page_source
    bad_row = driver.find_element(By.CSS_SELECTOR, "#file-table tr.file-row[data-name='说明.xlsx']")
    assert "无法读取" in bad_row.text and not bad_row.find_elements(By.CSS_SELECTOR, "a.marked")
    assert driver.find_element(By.CSS_SELECTOR, "#file-table tr.file-row[data-name='佛山.xlsx'] a.marked")


def test_a_file_over_20_mb_is_refused_on_the_page_in_chinese(site, seed, tmp_path):
    server, driver, downloads, root = site
    _open(driver, server.url + "/")
    big = tmp_path / "扫描件.xlsx"
    big.write_bytes(b"\0" * (20 * 1024 * 1024 + 1))
    _choose(driver, [big, seed / "珠海.xlsx"])
    _wait(driver, lambda d: len(_rows(d)) == 1 and d.find_element("id", "message").is_displayed())
    assert "文件“扫描件.xlsx”超过 20 MB" in driver.find_element("id", "message").text
    assert list(_rows(driver)) == ["珠海.xlsx"]


def test_desk_keeps_two_submissions_of_one_city_and_shows_the_later(site, seed, tmp_path):
    from selenium.webdriver.common.by import By

    server, driver, downloads, root = site
    _open(driver, server.url + "/desk")
    assert driver.find_elements(By.CSS_SELECTOR, "#desk-table tr.city-row").__len__() == 21
    who = driver.find_element(By.ID, "who")

    def submit(name: str, path: Path, count: int) -> None:
        who.clear()
        who.send_keys(name)
        _choose(driver, [path])
        _wait(driver, lambda d: d.execute_script(
            "const r = document.querySelector(\"tr.city-row[data-city='广州'] td.history summary\");"
            "return r ? r.textContent : ''") == f"{count} 次")

    submit("广州市局 张三", seed / "广州.xlsx", 1)
    # a corrected resubmission: same city, different content
    fixed = tmp_path / "广州.xlsx"
    book = openpyxl.load_workbook(seed / "广州.xlsx")
    book.active.title = book.active.title                        # saved again by openpyxl: new bytes
    book.save(fixed)
    time.sleep(1.1)                                              # a later second, as seen on the page
    submit("广州市局 李四", fixed, 2)

    row = driver.find_element(By.CSS_SELECTOR, "tr.city-row[data-city='广州']")
    assert row.find_element(By.CSS_SELECTOR, "td.who").text == "广州市局 李四"
    assert row.find_element(By.CSS_SELECTOR, "td.status").text == "有错误"
    row.find_element(By.CSS_SELECTOR, "td.history summary").click()
    history = row.find_elements(By.CSS_SELECTOR, "td.history li")
    assert len(history) == 2 and "李四" in history[0].text and "张三" in history[1].text
    assert driver.find_element(By.CSS_SELECTOR, "tr.city-row[data-city='深圳'] td.status").text == "未报送"
    screenshot(driver, root / "网页版-收表台.png")

    driver.find_element(By.ID, "consolidate").click()
    _wait(driver, lambda d: d.find_element(By.ID, "consolidation").is_displayed())
    assert driver.find_element(By.ID, "cons-total").text == "460"


def test_many_files_arrive_in_several_requests_in_order_with_findings_on_a_click(site, seed, tmp_path):
    from selenium.webdriver.common.by import By

    server, driver, downloads, root = site
    names = [f"{NAMES[i % 4][:2]}_{i:02d}.xlsx" for i in range(45)]          # more than one request of 40
    for i, name in enumerate(names):
        shutil.copy(seed / NAMES[i % 4], tmp_path / name)
    _open(driver, server.url + "/")
    rows = _upload_and_wait(driver, [tmp_path / n for n in names])
    assert list(rows) == names
    expected = {f["path"]: (f["city"], f["errors"], f["warnings"])
                for f in cli_validate_json(tmp_path, names)["files"]}
    assert rows == expected
    article = driver.find_element(By.CSS_SELECTOR, "article.file[data-name='深圳_01.xlsx']")
    assert not article.find_elements(By.CSS_SELECTOR, "tr.finding")            # closed until asked
    article.find_element(By.TAG_NAME, "summary").click()
    _wait(driver, lambda d: len(article.find_elements(By.CSS_SELECTOR, "tr.finding")) ==
          expected["深圳_01.xlsx"][1] + expected["深圳_01.xlsx"][2])


def test_on_the_lan_the_printed_address_logs_the_browser_in(site, seed):
    from selenium.webdriver.common.by import By

    _, driver, downloads, root = site
    guarded = RunningServer(code="lan-code-4q8z")
    try:
        driver.get(guarded.url + "/")
        assert "请输入访问码" in driver.page_source
        driver.find_element(By.ID, "code").send_keys("lan-code-4q8z")
        driver.find_element(By.CSS_SELECTOR, "form button").click()
        _wait(driver, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
        assert driver.current_url == guarded.url + "/"                      # the code is not left in the address
        rows = _upload_and_wait(driver, [seed / "佛山.xlsx"])
        assert rows["佛山.xlsx"][0] == "佛山"
    finally:
        guarded.stop()
