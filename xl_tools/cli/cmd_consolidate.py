"""xl-tools consolidate: add up the cities' forms into the provincial workbook (library: xl_tools.consolidate)."""

from __future__ import annotations

NAME = "consolidate"
HELP = ("汇总各地市绩效目标表，生成全省汇总工作簿（汇总表、指标汇总、定性指标、校验结果和各市原表）；"
        "退出码 0 已生成，1 已生成但有跨地市错误（同一地市两份表、预算年度不一致、文件无法读取），2 未能生成")
EXAMPLES = [
    "xl-tools consolidate 各地市 -o 广东省汇总.xlsx",
    "xl-tools consolidate 广州.xlsx 深圳.xlsx 珠海.xlsx 佛山.xlsx -o 广东省汇总.xlsx --json",
    "xl-tools consolidate 各地市 -o 广东省汇总.xlsx --library 本局指标库.json",
]


def add_arguments(parser) -> None:
    from xl_tools.cli.args import add_inputs, add_jobs, add_json, add_output

    add_inputs(parser, "各地市的绩效目标表（.xlsx），或存放它们的文件夹（会跳过 ~$ 开头的临时文件）")
    add_output(parser, "汇总文件", "要生成的汇总工作簿，如 广东省汇总.xlsx（不能与输入文件相同）", required=True)
    add_json(parser, "以 JSON 输出汇总结果（年度、资金需求合计、各市、各指标合计），供其他系统使用")
    parser.add_argument("--library", metavar="指标库文件",
                        help="自己的指标库（JSON），在内置指标库基础上增加或覆盖指标的不同写法")
    add_jobs(parser)


def _print_summary(cons, output) -> None:
    from xl_tools.consolidate.totals import format_number

    year = f"{cons.year}年" if cons.year else "未填写"
    print(f"已生成汇总工作簿：{output}")
    print(f"预算年度：{year}；地市 {len(cons.cities)} 个；资金需求合计 {format_number(cons.total_funding_wan)} 万元")
    for city in cons.cities:
        funding = f"{format_number(city.funding_wan)} 万元" if city.funding_wan is not None else "资金需求未能识别"
        print(f"  {city.city}：{funding}，指标 {city.indicator_count} 项，错误 {city.errors} 条，警告 {city.warnings} 条")
    if cons.unreported:
        print(f"已报送 {cons.reported_count} 个地市，未报送 {len(cons.unreported)} 个："
              f"{'、'.join(c.name for c in cons.unreported)}（汇总表中标为“未报送”）")
    summed = [r for r in cons.indicators if r.summed and r.city_count > 1]
    if summed:
        print("多市合计的指标：")
        for row in summed:
            print(f"  {row.name}：{row.total_text}（{'、'.join(row.by_city)}）")
    if cons.crosscity:
        print("跨地市问题（详见汇总工作簿的“校验结果”工作表）：")
        for f in cons.crosscity:
            print(f"  [{f.severity_label}] {f.code}：{f.message}")


def run(args) -> int:
    import json

    from xl_tools.jobs import consolidate_paths

    cons, output = consolidate_paths(args.paths, args.output, library=args.library, jobs=args.jobs)
    if args.json:
        print(json.dumps(cons.to_json(output), ensure_ascii=False, indent=2))
    else:
        _print_summary(cons, output)
    return 1 if cons.has_crosscity_error else 0
