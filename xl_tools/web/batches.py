"""Uploads kept for a while so the page can fetch marked copies and 汇总 without sending the files again.

Each batch is a random-named folder under the server's temporary folder; the oldest batches are deleted when
there are more than MAX_BATCHES, and all of them when the server stops.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from xl_tools.web.uploads import Upload

MAX_BATCHES = 64


@dataclass
class Batch:
    id: str
    folder: Path
    uploads: list[Upload] = field(default_factory=list)


class Batches:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="xl_tools_web_"))
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._lock = threading.Lock()

    def new_folder(self) -> tuple[str, Path]:
        batch_id = secrets.token_urlsafe(12)
        folder = self.root / batch_id
        folder.mkdir(parents=True)
        return batch_id, folder

    def scratch(self) -> Path:
        """A fresh folder for one request's temporary files (the caller deletes it)."""
        return Path(tempfile.mkdtemp(dir=self.root, prefix="tmp_"))

    def keep(self, batch: Batch) -> None:
        with self._lock:
            self._batches[batch.id] = batch
            while len(self._batches) > MAX_BATCHES:
                _, old = self._batches.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)

    def get(self, batch_id: str) -> Batch | None:
        with self._lock:
            return self._batches.get(batch_id)

    def close(self) -> None:
        with self._lock:
            self._batches.clear()
        shutil.rmtree(self.root, ignore_errors=True)
