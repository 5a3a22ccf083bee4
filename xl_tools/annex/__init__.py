"""Import the published annex (a text dump of the filled tables) into Form records and city workbooks.

``parse_annex(text, source=…)`` is pure; ``import_annex(path, out_dir)`` writes ``out_dir/<city>.xlsx``.
"""

from xl_tools.annex.importer import (
    bundled_annex_path,
    import_annex,
    parse_annex,
    read_annex,
    write_city_workbooks,
)

__all__ = ["bundled_annex_path", "import_annex", "parse_annex", "read_annex", "write_city_workbooks"]
