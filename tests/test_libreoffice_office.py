"""xl_tools.office and ``xl-tools render`` against the real headless LibreOffice and poppler.

The workbooks here are built with openpyxl to exercise the machinery itself: recalculation is really
forced, validations are compared by meaning, the print check tells a one-page-wide print from an
overflowing one, failures are clear Chinese errors.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

pytest_plugins = ("libreoffice",)

pytestmark = pytest.mark.libreoffice  # every test here runs LibreOffice


def _stale_cache(src: Path, dst: Path, cell: str, cached: str) -> Path:
    """Copy an openpyxl-written xlsx giving the formula in ``cell`` a wrong cached value."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start)
                assert "<v />" in text[start:end] or "<v/>" in text[start:end], text[start:end]
                patched = text[start:end].replace("<v />", f"<v>{cached}</v>").replace("<v/>", f"<v>{cached}</v>")
                data = (text[:start] + patched + text[end:]).encode("utf-8")
            zout.writestr(item, data)
    return dst


def _sample(path: Path, *, wide: bool = False, rows: int = 90, titles: bool = True) -> Path:
    """A 汇总-like sheet: Chinese header row repeated on every page, SUM formulas, dropdowns, A4."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总表"
    columns = 14 if wide else 5
    header = ["地市", "资金需求（万元）", "一级指标", "二级指标", "指标值"] + [f"备注{i}" for i in range(6, columns + 1)]
    for col, label in enumerate(header, start=1):
        ws.cell(1, col, label)
        ws.column_dimensions[get_column_letter(col)].width = 22 if wide else 16
    for r in range(2, rows + 2):
        ws.cell(r, 1, f"地市{r - 1}")
        ws.cell(r, 2, r * 10)
        ws.cell(r, 3, "产出指标")
        ws.cell(r, 4, "数量指标")
        ws.cell(r, 5, f"≥{r}场")
    total = rows + 2
    ws.cell(total, 1, "合计")
    ws.cell(total, 2, f"=SUM(B2:B{rows + 1})")
    ws.cell(total + 1, 2, "=B2/0")  # an error LibreOffice must report as one
    lists = wb.create_sheet("选项")
    for i, name in enumerate(("一级项目", "二级项目"), start=1):
        lists.cell(i, 1, name)
    lists.sheet_state = "hidden"
    fund = DataValidation(type="list", formula1='"省级财政专项资金,中央财政资金,市县配套资金"', allow_blank=True,
                          prompt="从下拉列表选择资金类型", error="请从下拉列表选择", showErrorMessage=True)
    fund.add("C2:C20")
    level = DataValidation(type="list", formula1="选项!$A$1:$A$2", allow_blank=True)
    level.add("D2:D20")
    amount = DataValidation(type="decimal", operator="greaterThan", formula1="0", error="请填写正数（万元）")
    amount.add("B2:B20")
    for dv in (fund, level, amount):
        ws.add_data_validation(dv)
    if titles:
        ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    if not wide:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("samples")
    return {"fit": _sample(folder / "一页宽.xlsx"), "wide": _sample(folder / "超宽.xlsx", wide=True),
            "wide_untitled": _sample(folder / "超宽无表头.xlsx", wide=True, rows=20, titles=False)}


def test_private_profile_recalculates_stale_cached_values(office, tmp_path):
    """LibreOffice's default keeps a writer's cached value; our profile recalculates it (=SUM → 3, not 99)."""
    import openpyxl

    from xl_tools.office.soffice import make_profile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, "=SUM(A1:A2)"
    wb.save(tmp_path / "plain.xlsx")
    stale = _stale_cache(tmp_path / "plain.xlsx", tmp_path / "stale.xlsx", "A3", "99")
    assert openpyxl.load_workbook(stale, data_only=True).active["A3"].value == 99

    (ours,) = office.xlsx([stale])
    assert openpyxl.load_workbook(ours, data_only=True).active["A3"].value == 3

    # The same file through a profile set to LibreOffice's default (OOXMLRecalcMode 1 = never) keeps the
    # stale 99: the setting in our profile is what forces recalculation.
    from xl_tools.office.convert import to_recalculated_xlsx
    from xl_tools.office.soffice import REGISTRY_MODIFICATIONS

    default = tmp_path / "default-profile"
    (default / "user").mkdir(parents=True)
    (default / "user" / "registrymodifications.xcu").write_text(
        REGISTRY_MODIFICATIONS.replace("<value>0</value>", "<value>1</value>"), encoding="utf-8")
    (kept,) = to_recalculated_xlsx([stale], tmp_path / "default-out", profile=default)
    assert openpyxl.load_workbook(kept, data_only=True).active["A3"].value == 99
    assert "<value>0</value>" in (make_profile(tmp_path / "p") / "user" / "registrymodifications.xcu").read_text()


def test_sum_recalculated_and_errors_visible(office, samples):
    import openpyxl

    import libreoffice as lo

    (out,) = office.xlsx([samples["fit"]])
    ws = openpyxl.load_workbook(out, data_only=True)["汇总表"]
    assert ws["B92"].value == sum(r * 10 for r in range(2, 92))
    assert lo.is_error(ws["B93"].value)
    assert ws["A1"].value == "地市" and ws["E91"].value == "≥91场"


def test_validations_survive_round_trip(office, samples):
    from libreoffice import validations

    (out,) = office.xlsx([samples["fit"]])
    before, after = validations(samples["fit"]), validations(out)
    assert len(before["汇总表"]) == 3
    assert after["汇总表"] == before["汇总表"]


def test_csv_per_sheet_after_recalculation(office, samples, tmp_path, monkeypatch):
    """One CSV per sheet, named after the sheet, even under the C locale (CI shells often run with LANG=C)."""
    import csv

    from xl_tools.office.convert import to_csv

    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("LC_ALL", "C")

    sheets = to_csv(samples["fit"], tmp_path, profile=office.profile)
    assert list(sheets) == ["汇总表", "选项"]
    rows = list(csv.reader(sheets["汇总表"].open(encoding="utf-8")))
    assert rows[0][:2] == ["地市", "资金需求（万元）"]
    assert rows[91][:2] == ["合计", str(sum(r * 10 for r in range(2, 92)))]
    assert [r[0] for r in csv.reader(sheets["选项"].open(encoding="utf-8"))] == ["一级项目", "二级项目"]


def test_print_check_tells_fit_from_overflow(office, samples):
    from xl_tools.office.printcheck import check_sheet_print

    fit_pdf, wide_pdf, untitled_pdf = office.pdf([(samples[k], ("汇总表",)) for k in ("fit", "wide", "wide_untitled")])
    fit = check_sheet_print(samples["fit"], "汇总表", fit_pdf)
    assert len(fit.pages) >= 2 and all(p.is_a4 and not p.landscape for p in fit.pages)
    assert fit.fits_width and fit.repeats_header and not fit.unprinted and fit.problems() == []

    wide = check_sheet_print(samples["wide"], "汇总表", wide_pdf)
    assert wide.fits_width is False and not wide.repeats_header
    assert any("一页宽" in p for p in wide.problems())

    # No repeated rows: the first row of labels must still be whole on page 1.
    untitled = check_sheet_print(samples["wide_untitled"], "汇总表", untitled_pdf)
    assert not untitled.title_labels and untitled.header_labels[:2] == ("地市", "资金需求（万元）")
    assert untitled.fits_width is False and "备注14" in untitled.width_missing
    assert any("一页宽" in p for p in untitled.problems())


def test_hidden_sheets_are_not_printed(office, samples):
    from xl_tools.office.poppler import pdf_text

    (whole,) = office.pdf([(samples["fit"], ())])
    text = pdf_text(whole)
    assert "地市1" in text and "一级项目" not in text  # 选项 is hidden in the workbook itself


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_render_command_writes_pdf_and_pages(office, samples, tmp_path):
    from xl_tools.cli import main
    from xl_tools.office.poppler import pdf_pages

    out = tmp_path / "预览"
    assert main(["render", str(samples["fit"]), "-o", str(out), "--dpi", "72"]) == 0
    pdf = out / "一页宽.pdf"
    pages = pdf_pages(pdf)
    pngs = sorted(out.glob("一页宽-第*页.png"))
    assert len(pngs) == len(pages) >= 2
    width, height = _png_size(pngs[0])
    # 72 dpi: one pixel per point (pdftoppm rounds up)
    assert abs(width - pages[0].width) <= 1 and abs(height - pages[0].height) <= 1
    assert samples["fit"].exists()


def test_render_one_sheet(office, samples, tmp_path):
    from xl_tools.office.poppler import pdf_text
    from xl_tools.office.render import render_workbook

    result = render_workbook(samples["fit"], tmp_path, sheets=["选项"], dpi=40)
    assert result.pdf.name == "一页宽-选项.pdf" and len(result.pages) == 1 and len(result.pngs) == 1
    assert "一级项目" in pdf_text(result.pdf) and "地市1" not in pdf_text(result.pdf)
    assert "共 1 页" in result.summary()


def test_unreadable_file_is_a_clear_error(office, tmp_path):
    from xl_tools.office.convert import to_pdf
    from xl_tools.office.soffice import ConversionError

    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(ConversionError) as err:
        to_pdf([bad], tmp_path / "out", profile=office.profile)
    assert "坏文件.xlsx" in str(err.value) and "无法打开或转换" in str(err.value)
    assert not (tmp_path / "out" / "坏文件.pdf").exists()


def test_timeout_stops_soffice(office, samples, tmp_path):
    from xl_tools.office.convert import to_pdf
    from xl_tools.office.soffice import ConversionError

    with pytest.raises(ConversionError) as err:
        to_pdf([samples["fit"]], tmp_path / "out", profile=office.profile, timeout=0.01)
    assert "秒内没有完成" in str(err.value) and "XL_TOOLS_SOFFICE_TIMEOUT" in str(err.value)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_output_never_overwrites_input(office, samples, tmp_path):
    from xl_tools.errors import OutputError
    from xl_tools.office.convert import to_recalculated_xlsx

    copy = tmp_path / "输入.xlsx"
    copy.write_bytes(samples["fit"].read_bytes())
    with pytest.raises(OutputError):
        to_recalculated_xlsx([copy], tmp_path, profile=office.profile)
    assert copy.read_bytes() == samples["fit"].read_bytes()


def test_printing_one_sheet_leaves_out_others_with_print_areas(office, tmp_path):
    """LibreOffice prints a hidden sheet that has a print area; printing one sheet must still print only it."""
    import openpyxl

    from xl_tools.office.poppler import pdf_text

    wb = openpyxl.Workbook()
    wb.active.title = "甲"
    wb.active["A1"] = "甲表内容"
    other = wb.create_sheet("乙")
    other["A1"] = "乙表内容"
    for ws in wb.worksheets:
        ws.print_area = "A1:B2"
    wb.save(tmp_path / "两表.xlsx")
    only_a, only_b = office.pdf([(tmp_path / "两表.xlsx", ("甲",)), (tmp_path / "两表.xlsx", ("乙",))])
    assert "甲表内容" in pdf_text(only_a) and "乙表内容" not in pdf_text(only_a)
    assert "乙表内容" in pdf_text(only_b) and "甲表内容" not in pdf_text(only_b)


def test_clipped_text_is_found(office, tmp_path):
    """Text LibreOffice cuts off (footer too close to the bottom margin, wrapped text in a low row) is found;
    the same text with room to print is not."""
    import openpyxl
    from openpyxl.styles import Alignment

    from xl_tools.office.printcheck import clipped_text

    def book(name: str, *, footer_gap: float, row_height: float) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.column_dimensions["A"].width = 12
        ws["A1"] = "第一行文字很长需要换行显示第二行文字也很长第三行文字结尾"
        ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[1].height = row_height
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_margins.footer = 0.3
        ws.page_margins.bottom = 0.3 + footer_gap
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        wb.save(tmp_path / name)
        return tmp_path / name

    cramped = book("挤.xlsx", footer_gap=0.1, row_height=15)
    roomy = book("宽松.xlsx", footer_gap=0.45, row_height=80)
    cramped_pdf, roomy_pdf = office.pdf([(cramped, ()), (roomy, ())])
    cut = clipped_text(cramped_pdf)[1]
    assert "页，共" in cut                                     # the footer
    assert any(w in cut for w in ("需要换行显示第", "二行文字也很长", "第三行文字结尾"))  # lines below the row
    assert clipped_text(roomy_pdf) == {}


def test_render_check_reports_overflow_and_exits_1(office, samples, tmp_path, capsys):
    from xl_tools.cli import main

    assert main(["render", str(samples["wide"]), "-o", str(tmp_path), "--no-png", "--check"]) == 1
    out = capsys.readouterr().out
    assert "工作表“汇总表”" in out and "打印超出一页宽" in out and "调整为 1 页宽" in out
    assert not list(tmp_path.glob("*.png")) and (tmp_path / "超宽.pdf").is_file()


def test_print_check_counts_a_short_text_wrapped_in_its_cell(office, tmp_path):
    """A narrow wrapped cell prints ``2020、2021`` and ``年`` on two lines, between its neighbours' lines: printed."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from xl_tools.office.poppler import pdf_text
    from xl_tools.office.printcheck import check_sheet_print, printed, squash

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws.append(["地市", "项目名称", "预算年度", "资金需求"])
    ws.append(["深圳", "深圳商标品牌战略推进项目、知识产权人才培训项目；深圳技术与创新支持中心建设、商标品牌战略推进项目、"
                       "海外知识产权纠纷应对指导项目", "2020、2021年", 1362.85])
    for letter, width in zip("ABCD", (9, 48, 10, 15)):       # as 汇总表 draws them (项目名称 two lines, 年度 two)
        ws.column_dimensions[letter].width = width
    for cell in ws[2]:
        cell.font = Font(name="宋体", size=10)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 44.5
    path = tmp_path / "换行.xlsx"
    wb.save(path)

    (pdf,) = office.pdf([(path, ("汇总表",))])
    assert "2020、2021年" not in squash(pdf_text(pdf, 1))          # really wrapped: not one run of text
    check = check_sheet_print(path, "汇总表", pdf)
    assert check.unprinted == () and not any("没有打印出来" in p for p in check.problems())
    assert printed("2020、2021年", "2020、2021深圳技术与创新支持年") and not printed("2020、2021年", "2020、2021")
    assert not printed("打印区域以外", "打印区域")
