"""The 帮助 button's text (Chinese, says what each button does and where to look when something fails)."""

from __future__ import annotations

BUTTONS: tuple[tuple[str, str], ...] = (
    ("新建", "按模板新建一份空白的绩效目标表，保存在“文档\\绩效目标表”文件夹并打开。"),
    ("校验", "检查当前工作簿中的每张绩效目标表：错误标红、警告标黄，批注写明应当怎么改，"
             "并在“校验结果”表中逐条列出（可点击跳转）。不会改动您填写的内容。再次校验会先清除上次的标记。"),
    ("采纳建议", "把校验给出的、可以直接填写的建议值写入单元格（改动的单元格标为绿色，批注写明原值），"
                 "在“校验结果”表末尾列出改动，并重新校验。没有确切建议值的单元格不会改动。"),
    ("清除标记", "去掉校验留下的颜色、批注和“校验结果”表。"),
    ("撤销采纳", "把“采纳建议”改过的单元格恢复为原值（Excel 的撤消按钮不能撤消加载项的操作）。"),
    ("汇总", "选择各地市的绩效目标表（可多选），生成全省汇总工作簿，保存在所选文件的同一文件夹并打开。"),
    ("生成汇总表", "在汇总工作簿中，按各地市工作表的当前内容重新生成汇总表、指标汇总、定性指标和校验结果。"),
)


def help_message(log_file: str, version: str) -> str:
    lines = ["“绩效目标”选项卡各按钮的作用："]
    lines += [f"【{name}】{what}" for name, what in BUTTONS]
    lines.append("")
    lines.append(f"出现问题时，请把日志文件发给技术支持：{log_file}")
    lines.append(f"版本：xl_tools {version}")
    return "\n".join(lines)
