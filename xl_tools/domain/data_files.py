"""Load the JSON data files shipped in xl_tools/domain/data (cached; stdlib only)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load_json(name: str):
    """Return the parsed JSON of ``xl_tools/domain/data/<name>``."""
    text = resources.files("xl_tools.domain").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)
