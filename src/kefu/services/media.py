"""Stored media: chat images (and, later, evidence photos), content-addressed on disk.

A file is named by the SHA-256 of its bytes and its type, so the same image is kept once,
a name is unguessable, and writing it twice is harmless (a retried message, two workers).
Its type was checked by content before it gets here (`kefu.core.inbox.content`).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{64}\.(jpeg|png|webp|gif)$")


class ImageStore:
    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "images"

    def put(self, data: bytes, mime: str) -> str:
        """Store `data` (of MIME type `mime`); its file name."""
        name = f"{hashlib.sha256(data).hexdigest()}.{mime.split('/')[1]}"
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / name
        if not path.exists():
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a reader never sees half a file
        return name

    def path(self, name: str) -> Path | None:
        """The file of a stored image's name; None for a malformed or unknown name."""
        if not NAME.match(name):
            return None
        path = self.root / name
        return path if path.is_file() else None
