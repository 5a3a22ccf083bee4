"""The cross-city codes (汇总), registered here for the catalogue and the 校验结果 titles only.

Their findings are made by xl_tools.consolidate.crosscity when cities are put side by side; a form on its
own never raises them, so they have no check function.
"""

from __future__ import annotations

from xl_tools.rules.registry import register

SECTION = "跨地市"

register("duplicate-city", severity="error", section=SECTION, scope="cross", title="同一地市有两个工作簿",
         template="{field}有两份工作簿的绩效目标表：{first} 和 {second}。汇总只计入第一份工作簿（{first}），{second} 未计入合计：请删除多余的一份（或改正该表的地方主管部门）后重新汇总",
         when="汇总时同一地市的表来自两个及以上工作簿（同一工作簿中的多张表是该市的多个项目，全部计入）",
         example={"field": "广州", "first": "广州.xlsx", "second": "广州(2).xlsx 工作表“广州”"})

register("mixed-years", severity="error", section=SECTION, scope="cross", title="预算年度不一致",
         template="{field}的预算年度是 {own}年，其他地市是 {year}年，不同年度的表不能汇总在一起：请核对后改为 {year}年，或把该表移出本次汇总",
         when="参加汇总的地市填写的预算年度不同",
         example={"field": "珠海", "own": 2019, "year": 2020})

register("unit-conflict", severity="warning", section=SECTION, scope="cross", title="同一指标单位不同",
         template="指标“{field}”在{city}写的是“{value}”，而其他地市用“{unit}”，单位不同不能相加，已分行列出：请统一按“{unit}”填写",
         when="同一指标（按指标库归并后）在不同地市的单位不能相加（如“份”和“场”）",
         example={"field": "专利预警分析报告", "city": "珠海", "value": "1", "unit": "份"})

register("operator-conflict", severity="warning", section=SECTION, scope="cross", title="同一指标方向相反",
         template="指标“{field}”在{lower}是“≥”，在{upper}是“≤”，方向相反不能相加：请核对后统一写法",
         when="同一指标在一个地市写“≥”、在另一个地市写“≤”，或同一地市的几个项目中有的写“≥”、有的写“≤”",
         example={"field": "项目总成本", "lower": "广州", "upper": "佛山"})
