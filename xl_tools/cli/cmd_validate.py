"""xl-tools validate: check forms, print the problems (or JSON), optionally write marked copies."""

from __future__ import annotations

NAME = "validate"
HELP = "校验绩效目标表：逐项检查表头和绩效指标，列出问题并说明应当怎么改；可另存带标记的副本"
EXAMPLES = [
    "xl-tools validate 广州.xlsx",
    "xl-tools validate 各地市报表/ --json",
    "xl-tools validate 广州.xlsx 深圳.xlsx --annotate",
    "xl-tools validate 广州.xlsx --fix",
]


def add_arguments(parser) -> None:
    from xl_tools.cli.args import add_inputs, add_jobs, add_json

    add_inputs(parser, "要校验的 .xlsx 文件，或存放这些文件的文件夹（跳过 ~$ 开头的临时文件）")
    add_json(parser, "以 JSON 输出结果（供其他系统使用）：{\"files\": [{\"path\", \"city\", \"errors\", "
                     "\"warnings\", \"findings\": [...]}]}")
    parser.add_argument("--annotate", action="store_true",
                        help="在每个文件旁另存带标记的副本（如 广州.校验.xlsx，不改动原文件）：有问题的单元格标红（错误）"
                             "或标黄（警告）并加批注，另有“校验结果”工作表列出全部问题并可点击跳转")
    parser.add_argument("--fix", action="store_true",
                        help="采纳建议：在每个文件旁另存修正副本（如 广州.修正.xlsx，不改动原文件，不覆盖已有的副本），把能直接"
                             "采纳的建议值写入单元格（改动的单元格标为绿色，批注写明原值），并列出改动；退出码按修正副本的"
                             "校验结果。哪些建议值会被采纳见 docs/rules.md“可直接采纳的建议值”")
    add_jobs(parser)


def run(args) -> int:
    import json
    import sys

    from xl_tools.jobs import validate_files

    report = validate_files(args.paths, jobs=args.jobs)
    messages: list[str] = []
    annotate_failed = _annotate(report, messages) if args.annotate else False
    fix_failed = False
    if args.fix:
        report, fix_failed = _fix(report, messages, print_now=not args.json)
    if args.json:
        print(json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_table(report))
    for line in messages:       # stdout stays pure JSON with --json
        print(line, file=sys.stderr if args.json or line.startswith("错误") else sys.stdout)
    if annotate_failed or fix_failed or not report.readable:
        return 2
    return 1 if report.errors else 0


def _annotate(report, messages: list[str]) -> bool:
    """Write a marked copy of each readable file; True when one could not be written."""
    from xl_tools.jobs import write_marked_copies

    copies = write_marked_copies(report)
    messages.extend(c.message for c in copies)
    return any(c.failed for c in copies)


def _fix(report, messages: list[str], *, print_now: bool):
    """Write the corrected copies; the changes are printed first (or kept for stderr with --json).

    Returns the report of the copies (as ``validate`` gives it on them) and whether a copy could not be written.
    """
    from xl_tools.jobs.fix import fixed_report, write_fixed_copies
    from xl_tools.workbook.fixes import change_line

    copies = write_fixed_copies(report)
    lines: list[str] = []
    for copy in copies:
        if copy.failed:
            messages.append(copy.message)
            continue
        lines.append(("■ " if copy.changes else "  ") + copy.message)
        lines.extend(f"  改动 {change_line(ch)}" for ch in copy.changes)
    if lines:
        lines.append("以下为修正副本的校验结果：" if any(c.written for c in copies) else "")
    if print_now:
        print("\n".join(lines))
    else:
        messages.extend(line for line in lines if line)
    return fixed_report(report, copies), any(c.failed for c in copies)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def render_table(report) -> str:
    """The terminal report: one block per file, errors first, each finding on its own line."""
    lines: list[str] = []
    for path, tasks in report.by_file():
        findings = sorted((f for t in tasks for f in t.findings), key=lambda f: f.sort_key())
        errors = sum(t.errors for t in tasks)
        warnings = sum(t.warnings for t in tasks)
        cities = "、".join(dict.fromkeys(t.city for t in tasks if t.city))
        sheets = list(dict.fromkeys(t.sheet for t in tasks if t.sheet))
        where = "，".join(x for x in (cities, "工作表 " + "、".join(sheets) if sheets else "") if x)
        head = f"■ {path}" + (f"（{where}）" if where else "")
        if not findings:
            lines += [f"{head}：通过，没有发现问题", ""]
            continue
        lines.append(f"{head}：错误 {errors} 个，警告 {warnings} 个")
        many_sheets = len(sheets) > 1
        places = [(f"{f.sheet}!{f.cell}" if many_sheets and f.cell
                   else (f.cell or ("文件" if f.code == "not-a-form" else "整表"))) for f in findings]
        width = max(_width("单元格"), *(_width(p) for p in places))
        lines.append(f"  级别  {_pad('单元格', width)}  说明")
        for f, place in zip(findings, places):
            lines.append(f"  {f.severity_label}  {_pad(place, width)}  {f.message}")
            if f.suggestion:
                lines.append(f"        {_pad('', width)}  建议值：{f.suggestion}")
        lines.append("")
    total = len(report.by_file())
    unreadable = sum(1 for _, tasks in report.by_file() if not all(t.readable for t in tasks))
    with_errors = sum(1 for _, tasks in report.by_file() if any(t.errors for t in tasks))
    summary = f"共校验 {total} 个文件：错误 {report.errors} 个，警告 {report.warnings} 个"
    if with_errors:
        summary += f"；{with_errors} 个文件有错误，请按上面的说明修改后再提交"
    if unreadable:
        summary += f"；其中 {unreadable} 个文件无法读取"
    if not report.errors:
        summary += "。没有错误，可以提交" + ("（警告为改进建议）" if report.warnings else "")
    lines.append(summary + ("。" if not summary.endswith(("交", "）")) else ""))
    return "\n".join(lines)
