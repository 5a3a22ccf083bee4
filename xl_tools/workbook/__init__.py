"""Workbook I/O: the 绩效目标表 template, reading and writing forms (openpyxl; python-calamine for fast reading).

``layout``    the ONLY module that knows where fields live (defined names first, label search as fallback)
``template``  build/write the template workbook (``TEMPLATE_VERSION``, ``build_template``, ``write_template``)
``reader``    workbook → Forms (``read_forms(path, engine="openpyxl"|"calamine")``)
``fastread``  the calamine engine (values, merges, defined names from the workbook XML)
``writer``    Forms → filled template sheets (``write_forms``, ``fill_form_sheet``, ``add_form_sheet``)
``rows``      insert rows like Excel (names, dropdowns, merges, print area follow)
``printsetup`` A4 one-page-wide print setup and row heights for wrapped text (校验结果, the summary sheets)
``safety``    the pre-flight check of an input file before any parser opens it (a package, by concern)
``celltext``  text written into cells: never a formula, only XML characters, cut to Excel's limit
``annotate``  the marked copy (``广州.校验.xlsx``); ``marks`` where and how findings are marked

Running rules over many files (校验/汇总 of folders) is not I/O: it lives in :mod:`xl_tools.jobs`.

Submodules are imported lazily by callers; importing this package loads nothing heavy.
"""
