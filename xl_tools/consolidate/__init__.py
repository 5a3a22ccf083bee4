"""汇总: cross-city totals over Form records and the consolidated provincial workbook.

Public API (openpyxl is imported lazily inside the functions that need it):

- ``consolidate(forms_or_paths, *, library=None) -> Consolidation``
- ``write_consolidation(cons, path, *, inputs=()) -> Path``
- ``write_summary_sheets(wb, cons)`` (re)writes the four summary sheets into an open openpyxl workbook
- ``rebuild_summary_sheets(wb)`` consolidates the city sheets of ``wb`` and rewrites its summary sheets (生成汇总表)
- ``save_workbook(wb, path, inputs=())`` saves atomically with cached formula values, deterministic bytes
- ``consolidate_paths(paths, output, library=None) -> tuple[Consolidation, Path]``
- ``load_library(path=None) -> IndicatorLibrary``, ``canonical_key(text)``
"""

from __future__ import annotations

from xl_tools.consolidate.keys import canonical_key, display_name
from xl_tools.consolidate.library import IndicatorLibrary, load_library

__all__ = [
    "canonical_key", "display_name", "IndicatorLibrary", "load_library",
    "consolidate", "consolidate_paths", "write_consolidation", "write_summary_sheets", "rebuild_summary_sheets",
    "save_workbook", "Consolidation",
]


def __getattr__(name: str):
    # Lazy re-exports so ``import xl_tools.consolidate`` stays light.
    if name == "Consolidation":
        from xl_tools.consolidate import model
        return model.Consolidation
    if name in ("consolidate", "consolidate_paths"):       # they read files: the jobs layer does that
        from xl_tools.jobs import consolidate as job
        return getattr(job, name)
    if name in ("write_consolidation", "write_summary_sheets", "rebuild_summary_sheets", "save_workbook"):
        from xl_tools.consolidate import workbook
        return getattr(workbook, name)
    raise AttributeError(name)
