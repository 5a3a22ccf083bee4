"""The rules catalogue (docs/rules.md), generated from the registry so the docs cannot drift.

Regenerate with ``python -m xl_tools.rules.catalogue`` (writes docs/rules.md next to the package); a test
fails when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xl_tools.rules.findings import SEVERITY_LABELS
from xl_tools.rules.registry import SECTIONS, load_rules

INTRO = """\
# 校验规则目录

> 本文件由 `python -m xl_tools.rules.catalogue` 从规则注册表生成，请勿手工修改。

每条校验结果（finding）包含：`code`（稳定的英文代码，永不改名）、`severity`（error 错误 / warning 警告）、
`city`（地市）、`sheet`（工作表）、`cell`（需要修改的单元格）、`field`（表头项或三级指标）、
`message`（中文说明：哪里有问题、应当怎么写）、`suggestion`（可计算时给出的建议值）。
有错误的表不能提交；警告是改进建议。`xl-tools validate` 的终端表格、`--json` 输出、带标记副本中的
“校验结果”工作表都使用下列代码。
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole catalogue as Markdown."""
    rules = load_rules()
    out = [INTRO]
    for section in SECTIONS:
        in_section = [r for r in rules.values() if r.section == section]
        if not in_section:
            continue
        out.append(f"\n## {section}\n")
        out.append("| 代码 | 级别 | 标题 | 何时出现 | 消息示例 |")
        out.append("|---|---|---|---|---|")
        for r in in_section:
            out.append(f"| `{r.code}` | {SEVERITY_LABELS[r.severity]} | {_cell(r.title)} | {_cell(r.when)} | "
                       f"{_cell(r.example_message())} |")
    out.extend(_exact_suggestions(rules))
    out.extend(_vague_wording())
    return "\n".join(out) + "\n"


def _exact_suggestions(rules) -> list[str]:
    """The codes whose 建议值 采纳建议 / ``validate --fix`` writes into the cell (Rule.fix_when)."""
    lines = [
        "\n## 可直接采纳的建议值\n",
        "功能区“采纳建议”和 `xl-tools validate 文件 --fix` 只把下列代码在所写情况下给出的建议值原样写入单元格"
        "（建议值中带“?”要核对单位、用“；”连接多个目标要拆成多行的，都不采纳）；其他代码的建议值只是示例或"
        "需要改动不止一个单元格，请人工修改。\n",
        "| 代码 | 标题 | 何时采纳 |",
        "|---|---|---|",
    ]
    for r in rules.values():
        if r.fixable:
            lines.append(f"| `{r.code}` | {_cell(r.title)} | {_cell(r.fix_when)} |")
    return lines


def _vague_wording() -> list[str]:
    """The forbidden vague wording (rule vague-value), from its one list (domain/data/vague_wording.json)."""
    from xl_tools.rules.suggest import vague_wording

    data = vague_wording()
    return [
        "\n## 禁用的笼统表述\n",
        "指标值是下列笼统表述时报 `vague-value`：请写成可衡量的目标（如 ≥90%、排名前10位），或写明可评判的标准。"
        "词表保存在 `xl_tools/domain/data/vague_wording.json`，可以增补。\n",
        "- 程度词 + 变化词（如“进一步提升”“有所提高”）：程度词 " + "、".join(data["degree_words"])
        + "；变化词 " + "、".join(data["change_verbs"]),
        "- 整个指标值只有一个词：" + "、".join(data["bare_words"]),
        "- 含有下列短语：" + "、".join(data["phrases"]),
    ]


def default_path() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def write(path: Path | None = None) -> Path:
    from xl_tools.fileio import atomic_write

    target = Path(path) if path else default_path()
    text = render()
    return atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
