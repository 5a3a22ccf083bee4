"""Realistic city workbooks for the benchmarks, written from the template by the library's own writer.

Each workbook is one city's submission: 2–4 project forms (one sheet each) with Chinese header text taken
from the published annex, 40 indicator rows spread over the prescribed 一级/二级指标, varied values
(counts with units, rates, deadlines, qualitative phrases, money) and, in some forms, the mistakes staff make
(blank or wrong 预算年度, funding without a number, a non-standard 二级指标, placeholders, vague values,
a missing 一级指标, another year).

Workbook ``i`` is always the same bytes for the same generator version (seeded by ``i``), so a cache of
generated files is reused across runs: ``ensure_pool(cache, n)`` writes only the files still missing and
``size_folder(cache, n)`` gives a folder holding exactly the first ``n`` workbooks (hard links into the pool).

    python bench/generate.py 210 --out /tmp/books      # write 210 workbooks into a folder
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

GENERATOR_VERSION = "1"
ROWS_PER_FORM = 40
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"

# (二级指标, rows) per 一级指标: 40 rows in all.
ROW_PLAN: tuple[tuple[str, str, int], ...] = (
    ("产出指标", "数量指标", 12), ("产出指标", "质量指标", 5), ("产出指标", "时效指标", 3),
    ("产出指标", "成本指标", 2), ("效益指标", "经济效益指标", 5), ("效益指标", "社会效益指标", 6),
    ("效益指标", "生态效益指标", 2), ("效益指标", "可持续影响指标", 2), ("满意度指标", "服务对象满意度指标", 3),
)
assert sum(n for _, _, n in ROW_PLAN) == ROWS_PER_FORM

# 三级指标 name → value makers per 二级指标 (n: a random count, p: a percentage, y: a year).
INDICATORS: dict[str, tuple[tuple[str, str], ...]] = {
    "数量指标": (
        ("举办知识产权培训班", "≥{n}场"), ("培训人次", "≥{n}0人次"), ("发行知识产权证券化产品数量", "≥{s}支"),
        ("知识产权证券化涉及企业数量", "≥{n}家"), ("专利预警分析报告", "{s}份"), ("资助发明专利申请", "≥{n}0件"),
        ("知识产权质押融资企业数量", "≥{n}家"), ("举办论坛活动", "≥{s}场"), ("活动参与人员数量", "≥{n}00人"),
        ("建设知识产权保护工作站", "{s}个"), ("开展专利导航项目", "{s}项"), ("提供专业数据库检索服务", "≥{n}次"),
        ("出版技术类相关刊物", "≥{s}期"), ("完成研究课题", "{s}个"), ("涉及产业数量", "≥{s}个"),
        ("组织海外知识产权纠纷应对案例研讨", "{s}次"),
    ),
    "质量指标": (
        ("项目申报、评审、公示程序符合相关管理办法要求", "100%"), ("项目验收合格率", "≥{p}%"),
        ("培训合格率", "≥{p}%"), ("研究报告通过专家评审", "通过"), ("专利预警分析报告采纳率", "≥{p}%"),
        ("数据库检索结果准确率", "≥{p}%"),
    ),
    "时效指标": (
        ("项目完成期限符合相关要求", "{y}年12月31日前"), ("资金拨付及时率", "100%"), ("报告提交时间", "{y}年6月底前"),
        ("活动举办时间", "{y}年第三季度"),
    ),
    "成本指标": (
        ("项目总成本控制在预算内", "≤{f}万元"), ("单场培训成本", "≤{s}万元"), ("人均培训成本", "≤{n}00元"),
    ),
    "经济效益指标": (
        ("发行知识产权证券化产品规模", "≥{s}亿元"), ("知识产权质押融资金额", "≥{n}亿元"),
        ("带动企业研发投入", "≥{n}00万元"), ("专利许可转让金额", "≥{n}0万元"), ("新增知识产权运营收入", "≥{n}0万元"),
    ),
    "社会效益指标": (
        ("提高中小企业海外维权能力", "进一步提升"), ("提升相关产业布局风险预警和涉外纠纷应对能力", "明显提升"),
        ("提高企业知识产权海外维权意识", "≥{p}%的参训企业建立维权机制"), ("知识产权证券化影响力", "形成可复制可推广模式"),
        ("活动影响力", "在粤港澳大湾区形成具有影响力与知名度专场活动"), ("知识产权综合实力全国排名", "全面排名前列"),
        ("惠及企业数量", "≥{n}0家"),
    ),
    "生态效益指标": (
        ("绿色技术专利申请量增长", "≥{s}%"), ("推动节能环保产业知识产权布局", "形成专利池{s}个"),
    ),
    "可持续影响指标": (
        ("知识产权服务体系持续运行", "≥{s}年"), ("建立长效工作机制", "建立"), ("形成知识产权支撑产业布局的政策建议", "{s}份"),
    ),
    "服务对象满意度指标": (
        ("服务对象满意度", "≥{p}%"), ("参训学员满意度", "≥{p}%"), ("企业对服务的满意度", "≥{p}%"),
    ),
}

PROJECTS: tuple[str, ...] = (
    "知识产权证券化推进引导项目", "海外知识产权纠纷应对指导项目", "知识产权发展实力研究", "技术与创新支持中心建设",
    "专利导航产业发展项目", "知识产权质押融资风险补偿项目", "知识产权保护工作站建设", "知识产权人才培训项目",
    "高价值专利培育项目", "知识产权运营服务体系建设", "商标品牌战略推进项目", "地理标志保护与运用项目",
)

MISTAKES: tuple[str, ...] = (
    "blank-year", "chinese-year", "other-year", "funding-text", "bad-level2", "placeholder", "missing-level1",
    "empty-value", "vague", "blank-project",
)


def _seed_texts() -> list[dict[str, str]]:
    """Header texts (支出内容, 政策依据, 总体绩效目标) of the published annex's forms."""
    from xl_tools.annex import bundled_annex_path, read_annex

    texts = []
    for form in read_annex(bundled_annex_path()):
        texts.append({k: form.get(k).text for k in ("expenditure", "policy_basis", "overall_goal")})
    return texts


_SEED: list[dict[str, str]] | None = None


def _seed() -> list[dict[str, str]]:
    global _SEED
    if _SEED is None:
        _SEED = _seed_texts()
    return _SEED


def make_form(city: str, rng: random.Random, *, year: int = 2020, mistakes: tuple[str, ...] = ()):
    """One project's Form for ``city`` with 40 indicator rows; ``mistakes`` names the errors to plant."""
    from xl_tools.domain.form import Form, Indicator, Located

    seed = rng.choice(_seed())
    funding = rng.choice((80, 120, 150, 200, 260, 300, 460, 500, 800, 1200)) + rng.choice((0, 0, 0.5, 12.35))
    names = rng.sample(PROJECTS, rng.randint(1, 3))
    header = {
        "project_name": "、".join(f"{city}{n}" if i == 0 else n for i, n in enumerate(names)),
        "fund_type": "省级财政专项资金",
        "project_level": "二级项目",
        "provincial_department": "广东省市场监督管理局（广东省知识产权局）",
        "local_department": f"{city}市市场监督管理局",
        "budget_year": f"{year}年",
        "funding": f"{funding:g}万元",
        "expenditure": seed["expenditure"],
        "policy_basis": seed["policy_basis"],
        "overall_goal": seed["overall_goal"] or f"{year}年底前完成{names[0]}，提升{city}知识产权创造、运用和保护水平。",
    }
    fill = {"n": 0, "s": 0, "p": 0, "y": year + 1, "f": f"{funding:g}"}
    rows = []
    for level1, level2, count in ROW_PLAN:
        pool = INDICATORS[level2]
        for k in range(count):
            name, template = pool[k % len(pool)]
            if k >= len(pool):
                name = f"{name}（第{k // len(pool) + 1}批）"
            fill.update(n=rng.randint(2, 99), s=rng.randint(1, 9), p=rng.choice((80, 85, 90, 95, 98)))
            rows.append([level1, level2, name, template.format(**fill)])
    for mistake in mistakes:
        if mistake == "blank-year":
            header["budget_year"] = ""
        elif mistake == "chinese-year":
            header["budget_year"] = "二〇二〇年度"
        elif mistake == "other-year":
            header["budget_year"] = f"{year + 1}年"
        elif mistake == "funding-text":
            header["funding"] = "约四百余万元"
        elif mistake == "blank-project":
            header["project_name"] = ""
        elif mistake == "bad-level2":
            rows[rng.randrange(0, 12)][1] = "培训数量要求"
        elif mistake == "placeholder":
            r = rows[rng.randrange(12, 22)]
            r[2], r[3] = "指标4：", ""
        elif mistake == "missing-level1":
            rows[rng.randrange(22, 37)][0] = ""
        elif mistake == "empty-value":
            rows[rng.randrange(0, 12)][3] = ""
        elif mistake == "vague":
            rows[rng.randrange(22, 28)][3] = "有所提高"
    return Form(header={k: Located(v) for k, v in header.items()},
                indicators=tuple(Indicator.of(*r) for r in rows))


def workbook_forms(index: int):
    """(file name, Forms) of workbook ``index``: the same city cycle as the 21 cities in code order."""
    from xl_tools.domain.cities import cities

    rng = random.Random(1_000_003 * (index + 1))
    city = cities()[index % 21].name
    year = 2020
    forms = []
    for _ in range(rng.randint(2, 4)):
        mistakes: tuple[str, ...] = ()
        if rng.random() < 0.3:        # about a third of the forms carry one or two mistakes
            mistakes = tuple(rng.sample(MISTAKES, rng.randint(1, 2)))
        forms.append(make_form(city, rng, year=year, mistakes=mistakes))
    return workbook_name(index), forms


def write_workbook(folder: Path, index: int) -> Path:
    from xl_tools.workbook.writer import write_forms

    name, forms = workbook_forms(index)
    return Path(write_forms(forms, folder / name))


def _pool(cache: Path) -> Path:
    return cache / f"pool-v{GENERATOR_VERSION}"


def _write_range(args: tuple[str, list[int]]) -> int:
    folder, indices = args
    for i in indices:
        write_workbook(Path(folder), i)
    return len(indices)


def ensure_pool(cache: Path, count: int, *, workers: int | None = None, log=print) -> list[Path]:
    """The first ``count`` workbooks in the cache pool, writing the missing ones (in parallel when many)."""
    pool = _pool(cache)
    pool.mkdir(parents=True, exist_ok=True)
    names = [workbook_name(i) for i in range(count)]
    missing = [i for i, n in enumerate(names) if not (pool / n).exists()]
    if missing:
        workers = workers or min(len(missing) // 20 + 1, os.cpu_count() or 1)
        log(f"生成 {len(missing)} 个工作簿到 {pool}（{workers} 个进程）…")
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            chunks = [missing[k::workers] for k in range(workers)]
            with ProcessPoolExecutor(workers) as ex:
                list(ex.map(_write_range, [(str(pool), c) for c in chunks]))
        else:
            _write_range((str(pool), missing))
    return [pool / n for n in names]


def workbook_name(index: int) -> str:
    from xl_tools.domain.cities import cities

    return f"{cities()[index % 21].name}_{index + 1:04d}.xlsx"


def size_folder(cache: Path, count: int, **kwargs) -> Path:
    """A folder holding exactly the first ``count`` pool workbooks (hard links; copies where links fail)."""
    import shutil

    files = ensure_pool(cache, count, **kwargs)
    folder = cache / f"n{count}-v{GENERATOR_VERSION}"
    stamp = folder / ".complete"
    if stamp.exists() and stamp.read_text() == str(count):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        target = folder / f.name
        if not target.exists():
            try:
                os.link(f, target)
            except OSError:
                shutil.copy2(f, target)
    stamp.write_text(str(count))
    return folder


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("工作簿个数至少为 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成用于基准测试的地市绩效目标表工作簿")
    parser.add_argument("count", type=_positive, help="工作簿个数")
    parser.add_argument("--out", type=Path, help="输出文件夹（默认：bench/.cache 中的缓存）")
    parser.add_argument("--workers", type=int, help="并行进程数（默认：CPU 核数）")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for i in range(args.count):
            write_workbook(args.out, i)
        print(json.dumps({"folder": str(args.out), "count": args.count}, ensure_ascii=False))
    else:
        folder = size_folder(DEFAULT_CACHE, args.count, workers=args.workers)
        print(json.dumps({"folder": str(folder), "count": args.count}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
