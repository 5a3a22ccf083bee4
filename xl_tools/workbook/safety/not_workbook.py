"""Files that are not workbooks, described by what they look like (PDF, image, HTML, CSV, .docx, .ods, …) with
the fix, so a wrong file gets a message its sender understands."""

from __future__ import annotations

import re
import zipfile

from xl_tools.workbook.safety.limits import FIX_RESEND, FIX_SAVE_AS

_BINARY_KINDS = (
    (b"%PDF", "这是 PDF 文件，不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表（PDF 或扫描件无法读取）"),
    (b"{\\rtf", "这是 RTF/Word 文档，不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"),
    (b"\x89PNG", "这是图片（PNG），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"GIF8", "这是图片（GIF），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"Rar!", "这是 RAR 压缩包，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩包，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
    (b"\x1f\x8b", "这是 gzip 压缩文件，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
)


def _decode_head(head: bytes) -> str | None:
    """The start of a text file as text (UTF-8/UTF-16/GB18030), or None when it is binary."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore")
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return sample.decode("utf-16-le", "ignore")
    if b"\x00" in sample:
        return None
    for codec in ("utf-8", "gb18030"):
        try:
            return sample.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start > len(sample) - 4:          # cut mid-character at the end of the sample
                return sample[: exc.start].decode(codec, "ignore")
    return None


def describe_not_zip(head: bytes) -> str:
    """What a file that is not a zip looks like from its first bytes ``head``, and the fix."""
    for magic, message in _BINARY_KINDS:
        if head.startswith(magic):
            return message
    text = _decode_head(head)
    if text is None:
        return "不是有效的 .xlsx 工作簿（文件已损坏，或是其他格式改了扩展名）：" + FIX_RESEND
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low or "progid=\"excel.sheet\"" in low:
        return "这是“XML 电子表格 2003”格式，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if re.search(r"<\s*(html|!doctype\s+html|table|head|body|meta)\b", low[:4096]):
        return "这是网页（HTML）文件改了扩展名（一些系统导出的“Excel”其实是网页），不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if low.startswith("<?xml") or low.startswith("<"):
        return "这是 XML 文本文件，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if any(sep in text for sep in (",", "\t", "，")):
        return "这是文本或 CSV 文件改了扩展名，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    return "这是文本文件，不是 .xlsx 工作簿：请在 Excel 或 WPS 中按模板填写并保存为 .xlsx 后重试"


def describe_other_zip(members: set[str], zf: zipfile.ZipFile) -> str:
    """What a zip without a workbook part is (.xlsb, .docx, .pptx, .ods, a plain archive), and the fix."""
    if "xl/workbook.bin" in members:
        return "这是 Excel 二进制工作簿（.xlsb），本工具只读 .xlsx：请在 Excel 中“另存为” .xlsx 后重试"
    if "word/document.xml" in members:
        return "这是 Word 文档（.docx），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    if "ppt/presentation.xml" in members:
        return "这是 PowerPoint 文件（.pptx），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    if "mimetype" in members:
        try:
            info = zf.getinfo("mimetype")
            kind = zf.read(info)[:100].decode("ascii", "ignore") if info.file_size <= 100 else ""
        except Exception:  # a broken mimetype entry: describe it as an archive
            kind = ""
        if "spreadsheet" in kind:
            return "这是 OpenDocument 表格（.ods，WPS/LibreOffice 格式），不是 .xlsx：" + FIX_SAVE_AS
        if kind:
            return "这是 OpenDocument 文件（如 .odt），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    return "这是压缩包（.zip），不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"
