"""Output paths: what may be written, and where the bytes really go.

Every file detente writes (reports, converted scenarios, forecasts CSVs, error models, drafts) is
written atomically: a temporary file in the same folder, then ``os.replace`` over the target. That
rename would *replace* whatever sits at the path — a device such as ``/dev/full``, a named pipe, the
symbolic link itself, or the input file the command is reading — so the writers ask
:func:`output_problem` first and write to :func:`real_target`. Light on purpose (``os`` and
``pathlib`` only): the CLI checks its output paths before any heavy import or long computation.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def real_target(path: Any) -> Path:
    """The file the bytes for ``path`` should go to: ``path`` with ``~`` expanded and symbolic links
    followed (so writing through a link replaces the file it points to and keeps the link)."""
    p = Path(path).expanduser()
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def output_problem(path: Any, inputs: Iterable[Any] = ()) -> str | None:
    """Why ``path`` cannot be written as an output file, as one line starting with the path, or None.

    Refused: a directory; a path whose folder does not exist; an existing file that is not a regular
    file (a device, a pipe, a socket: the atomic rename would destroy it); and any of ``inputs``
    (paths the same command reads: writing there would destroy the data being read). Built-in
    scenario names and other inputs that are not existing files are ignored.

    >>> output_problem("/") is not None, output_problem("/no/such/folder/x.html") is not None
    (True, True)
    """
    p = Path(path).expanduser()
    target = real_target(p)
    if target.is_dir():
        return f"{path}: is a directory (expected a file path)"
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        return f"{path}: folder {parent} does not exist"
    try:
        st = target.stat()
    except OSError:
        return None  # a new file
    if not stat.S_ISREG(st.st_mode):
        return f"{path}: is not a regular file (a device, pipe or socket; expected a file path)"
    for src in inputs:
        if src is None:
            continue
        try:
            same = os.path.samefile(target, Path(src).expanduser())
        except (OSError, TypeError, ValueError):
            continue
        if same:
            return f"{path}: is the input file {src} (writing there would overwrite it; choose another path)"
    return None
