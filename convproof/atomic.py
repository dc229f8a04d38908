"""Files and directories written whole or not at all.

A run interrupted while it writes (Ctrl-C while the figures are drawn, a full disk) must
leave the previous run's JSON or report as it was, never half of each: a file is written
beside its destination and moved over it with ``os.replace`` (atomic on POSIX and
Windows); a directory is built beside its destination and swapped in with two renames.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path


def _beside(path: Path, what: str) -> Path:
    return path.with_name(f".{path.name}.{what}-{os.getpid()}-{secrets.token_hex(4)}")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    path = Path(path)
    temporary = _beside(path, "tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def build_directory(directory: Path, build: Callable[[Path], None]) -> None:
    """``build(staging)`` fills a fresh directory beside ``directory``, which then takes
    its place; whatever stops the build (an exception, KeyboardInterrupt) leaves
    ``directory`` untouched and the staging directory removed."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = _beside(directory, "tmp")
    staging.mkdir()
    old = _beside(directory, "old")
    try:
        build(staging)
        if directory.exists():
            os.rename(directory, old)
        try:
            os.rename(staging, directory)
        except BaseException:
            if old.exists():  # put the previous run's directory back
                os.rename(old, directory)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
