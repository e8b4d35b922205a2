"""Output paths: what may be written, and where the bytes really go.

Every file detente writes (reports, converted scenarios, forecasts CSVs, error models, drafts) is
written atomically by :func:`write_atomic`: a temporary file in the same folder, then ``os.replace``
over the target. That rename would *replace* whatever sits at the path — a device such as
``/dev/full``, a named pipe, the symbolic link itself, or the input file the command is reading — so
the writers ask :func:`output_problem` first and write to :func:`real_target`. Light on purpose
(``os``, ``pathlib`` and ``tempfile`` only): the CLI checks its output paths before any heavy import
or long computation.
"""

from __future__ import annotations

import os
import stat
import tempfile
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


def _umask() -> int:
    """The process umask, read without changing it where the system allows (os.umask(0) is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(target: Path) -> int:
    """Permission bits for ``target``: those of the file it replaces, else 0o666 minus the umask."""
    try:
        st = target.stat()
    except OSError:
        return 0o666 & ~_umask()
    return st.st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()


def write_atomic(path: Any, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the file written: a temporary file in the
    target's folder, then ``os.replace`` over it, so a reader never sees half a file and a failure
    leaves the old file as it was. Through a symbolic link to the file it points to (the link stays,
    :func:`real_target`); the new file gets the mode of the file it replaces, else the mode a plain
    ``open`` would give (mkstemp's own is 0600). Raises ``OSError``; the temporary file is removed on
    any error or interruption (Ctrl-C). Callers check :func:`output_problem` first."""
    target = real_target(path)
    parent = target.parent if str(target.parent) else Path(".")
    mode = _new_file_mode(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
