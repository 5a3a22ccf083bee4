"""The ribbon's buttons, in one place: ``macros/customUI14.xml`` and ``macros/XlToolsRibbon.bas`` are rendered
from ``BUTTONS`` (a test proves the files in macros/ are current; see ``sources``).

Each button's onAction is ``XlToolsRibbon.<sub>``, a VBA Sub ``(control As IRibbonControl)`` that runs
``RunPython "import xl_tools.excel as x; x.<function>()"`` through xlwings. The VBA stays ASCII-only and
free of paths; every Chinese word lives in the ribbon XML.

Regenerate the files after editing this module::

    python -m xl_tools.addin.sources
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
VBA_MODULE = "XlToolsRibbon"
PYTHON_MODULE = "xl_tools.excel"
TAB_ID = "xlToolsTab"
TAB_LABEL = "绩效目标"
CUSTOMUI_FILE = "customUI14.xml"
VBA_FILE = f"{VBA_MODULE}.bas"


@dataclass(frozen=True)
class Button:
    """One ribbon button and the Python entry point it runs."""

    id: str
    label: str
    sub: str  # VBA Sub in VBA_MODULE
    function: str  # function of xl_tools.excel, called with no arguments
    image: str  # imageMso: a built-in Office icon
    screentip: str
    supertip: str
    group: str

    @property
    def on_action(self) -> str:
        return f"{VBA_MODULE}.{self.sub}"

    @property
    def python_command(self) -> str:
        return f"import {PYTHON_MODULE} as x; x.{self.function}()"


GROUPS: tuple[tuple[str, str], ...] = (
    ("grpForm", "填报"),
    ("grpSummary", "全省汇总"),
    ("grpHelp", "帮助"),
)

BUTTONS: tuple[Button, ...] = (
    Button("btnNewForm", "新建", "NewForm", "new_form", "FileNew", "新建绩效目标表",
           "按标准模板新建一个空白的绩效目标表工作簿并打开，填好后保存即可提交。", "grpForm"),
    Button("btnValidate", "校验", "Validate", "validate", "AcceptInvitation", "校验当前工作簿",
           "检查当前工作簿中每张绩效目标表：有问题的单元格标红（错误）或标黄（警告），批注写明原因和改法，"
           "并生成“校验结果”表。不会改动您填写的内容。", "grpForm"),
    Button("btnApplyFixes", "采纳建议", "ApplyFixes", "apply_fixes", "ReviewAcceptChange", "采纳校验给出的建议值",
           "把校验给出的、可以直接填写的建议值（如“≥1个”“2020”）写入单元格：改动的单元格标为绿色，批注写明原值，"
           "“校验结果”表末尾列出全部改动，然后重新校验。没有确切建议值的单元格不会改动。", "grpForm"),
    Button("btnClearMarks", "清除标记", "ClearMarks", "clear_marks", "ClearFormats", "清除校验标记",
           "去掉“校验”留下的颜色、批注和“校验结果”表，恢复表格原样。", "grpForm"),
    Button("btnUndoFixes", "撤销采纳", "UndoFixes", "undo_fixes", "Undo", "撤销采纳的建议",
           "把“采纳建议”改过的单元格全部恢复为原值和原来的样子，然后重新校验。"
           "（Excel 的撤消按钮不能撤消加载项的操作，请用这个按钮。）", "grpForm"),
    Button("btnConsolidate", "汇总", "Consolidate", "consolidate", "AutoSum", "汇总各地市绩效目标表",
           "选择各地市报来的绩效目标表（可多选），合并成全省汇总工作簿，保存在这些文件旁边并打开。", "grpSummary"),
    Button("btnBuildSummary", "生成汇总表", "BuildSummary", "build_summary", "PivotTableInsert", "重新生成汇总表",
           "在已汇总的工作簿中，根据各地市工作表重新生成汇总表、指标汇总、定性指标和校验结果；"
           "修改地市工作表后点一下即可更新合计。", "grpSummary"),
    Button("btnHelp", "帮助", "ShowHelp", "show_help", "Help", "使用帮助",
           "查看各按钮的用法、常见问题，以及出错时日志文件的位置。", "grpHelp"),
)


def render_customui() -> str:
    """The ribbon XML (customUI14, Office 2010 and later)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<customUI xmlns="{CUSTOMUI_NS}">',
        "  <ribbon>",
        "    <tabs>",
        f'      <tab id="{TAB_ID}" label={quoteattr(TAB_LABEL)} insertAfterMso="TabHome">',
    ]
    for group_id, group_label in GROUPS:
        lines.append(f"        <group id={quoteattr(group_id)} label={quoteattr(group_label)}>")
        for b in BUTTONS:
            if b.group != group_id:
                continue
            lines.append(
                f"          <button id={quoteattr(b.id)} label={quoteattr(b.label)} size=\"large\""
                f" imageMso={quoteattr(b.image)}\n"
                f"                  screentip={quoteattr(b.screentip)}\n"
                f"                  supertip={quoteattr(b.supertip)}\n"
                f"                  onAction={quoteattr(b.on_action)}/>"
            )
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>"]
    return "\n".join(lines) + "\n"


def render_vba_module() -> str:
    """The VBA module of ribbon callbacks, in VBA export format (CRLF line ends, ASCII)."""
    lines = [
        f'Attribute VB_Name = "{VBA_MODULE}"',
        "Option Explicit",
        "' Ribbon callbacks of the xl_tools add-in: each button of customUI14.xml runs one Python entry point",
        f"' of {PYTHON_MODULE} through xlwings' RunPython.",
        "' Generated from xl_tools/addin/ribbon.py: edit the button list there, then run",
        "' python -m xl_tools.addin.sources",
    ]
    for b in BUTTONS:
        lines += [
            "",
            f"Public Sub {b.sub}(control As IRibbonControl)",
            f'    RunPython "{b.python_command.replace(chr(34), chr(34) * 2)}"',
            "End Sub",
        ]
    text = "".join(line + "\r\n" for line in lines)
    text.encode("ascii")  # VBA source must stay ASCII
    return text
