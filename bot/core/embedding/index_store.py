"""The index folder on disk: the ``current`` link, the build lock, the switch to a new
build and the cleanup of old ones. Errors name the path and say what to do.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.core.errors import IndexDamagedError, IndexMissingError, IndexPermissionError

CURRENT = "current"
LOCK_FILE = ".build.lock"
BUILD_PREFIX = ".build-"
BUILD_COMMAND = "rolle build"


def current_dir(index_dir: Path) -> Path:
    """The folder of the index in use (the ``current`` link)."""
    return index_dir / CURRENT


def denied(path: Path, action: str = "read") -> IndexPermissionError:
    return IndexPermissionError(
        f"Cannot {action} {path}: permission denied (built or owned by another user?)."
    )


def current_folder(index_dir: Path) -> Path:
    """The real folder ``current`` points to, resolved once so a reader sees one build.

    Raises:
        IndexMissingError: nothing has been built.
        IndexDamagedError: ``current`` points nowhere.
        IndexPermissionError: the index folder cannot be read.
    """
    link = current_dir(index_dir)
    try:
        os.lstat(link)
    except FileNotFoundError:
        raise IndexMissingError(f"No index in {index_dir}: run `{BUILD_COMMAND}`.") from None
    except PermissionError:
        raise denied(index_dir) from None
    folder = Path(os.path.realpath(link))
    try:
        if not folder.is_dir():
            raise IndexDamagedError(
                f"The index link {link} points to a missing folder: "
                f"run `{BUILD_COMMAND} --force`."
            )
        os.listdir(folder)
    except PermissionError:
        raise denied(folder) from None
    return folder


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except PermissionError:
        raise denied(path) from None
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(
            f"The index file {path} is damaged ({exc}): run `{BUILD_COMMAND} --force`."
        ) from None


@contextmanager
def build_lock(index_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index folder's build lock; wait (after telling ``on_wait``) if it is taken.

    Raises:
        IndexPermissionError: the index folder cannot be created or written.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        raise denied(index_dir, "write to the index folder") from None
    except OSError as exc:
        raise IndexPermissionError(
            f"Cannot write to the index folder {index_dir}: {exc.strerror or exc}."
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(f"Another build is running in {index_dir}: waiting for it to finish.")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def switch_current(index_dir: Path, build_dir: Path) -> None:
    """Point ``current`` at ``build_dir`` atomically, then remove older builds.

    A ``current`` that is a real folder (copied by hand, say) is moved aside first.
    """
    link = current_dir(index_dir)
    if link.is_dir() and not link.is_symlink():
        os.rename(link, index_dir / f"{BUILD_PREFIX}moved-{time.time_ns()}")
    tmp_link = index_dir / f".{CURRENT}-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(build_dir.name)
    os.replace(tmp_link, link)
    remove_old_builds(index_dir)


def remove_old_builds(index_dir: Path) -> None:
    """Remove build folders except the one in use and the newest other (the previous)."""
    in_use = Path(os.path.realpath(current_dir(index_dir)))
    others = [p for p in index_dir.glob(f"{BUILD_PREFIX}*")
              if p.is_dir() and not p.is_symlink() and p.resolve() != in_use]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[1:]:
        shutil.rmtree(old, ignore_errors=True)
