"""List the image files under the paths a user gave, lazily and in a stable order. Qt-free.

Files named on the command line are always tried (the loader looks at their content);
inside folders only names with an image extension are taken, hidden files and folders
(names starting with a dot) are skipped, and names are sorted naturally (``2.png`` before
``10.png``), files first, then sub-folders. Symbolic-link loops are reported, not followed;
a folder reached twice through links is listed once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mnist_desktop.io.image_files import is_image_name, natural_key

MAX_DEPTH = 256


@dataclass(frozen=True)
class Entry:
    """One row to produce: a file to load, or a path already known to be a problem."""

    path: str
    error: str | None = None


def _dir_key(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class Walk:
    """Iterate ``Entry`` rows for ``paths``; ``skipped`` counts non-image files left out.

    ``ordered=False`` skips sorting (used to count the rows quickly in the background;
    the count is the same).
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]], recursive: bool = False,
                 *, ordered: bool = True) -> None:
        self.paths = [os.fspath(p) for p in paths]
        self.recursive = recursive
        self.ordered = ordered
        self.skipped = 0
        self._visited: set[tuple[int, int]] = set()

    def __iter__(self) -> Iterator[Entry]:
        for path in self.paths:
            if os.path.isdir(path):
                yield from self._top_folder(path)
            elif os.path.lexists(path):
                yield Entry(path)
            else:
                yield Entry(path, "no such file or folder")

    def _top_folder(self, path: str) -> Iterator[Entry]:
        found = False
        unsearched = [0]
        self._visited.clear()
        other = self.skipped
        for entry in self._folder(path, (), unsearched):
            found = True
            yield entry
        if not found:
            other = self.skipped - other
            folders = unsearched[0]
            details = []
            if other:
                details.append(f"{other:,} file{'s' * (other != 1)}, none with an image extension")
            if folders:
                details.append(f"{folders:,} sub-folder{'s' * (folders != 1)} not searched: "
                               "turn on recursive to include them")
            detail = "; ".join(details) or "it is empty"
            yield Entry(path, f"no images in this folder ({detail})")

    def _listing(self, folder: str) -> list[os.DirEntry[str]]:
        with os.scandir(folder) as scan:
            entries = [e for e in scan if not e.name.startswith(".")]
        if self.ordered:
            entries.sort(key=lambda e: natural_key(e.name))
        return entries

    def _folder(self, folder: str, ancestors: tuple[tuple[tuple[int, int], str], ...],
                unsearched: list[int]) -> Iterator[Entry]:
        key = _dir_key(folder)
        if key is not None:
            for ancestor_key, ancestor in ancestors:
                if ancestor_key == key:
                    yield Entry(folder, f"symbolic link loop: this folder leads back to {ancestor}")
                    return
            if key in self._visited:
                return  # the same folder through another link: listed once
            self._visited.add(key)
        if len(ancestors) >= MAX_DEPTH:
            yield Entry(folder, f"folders nested deeper than {MAX_DEPTH} levels are not searched")
            return
        try:
            entries = self._listing(folder)
        except OSError as error:
            reason = "permission denied" if isinstance(error, PermissionError) else (
                error.strerror or str(error))
            yield Entry(folder, f"cannot list this folder: {reason}")
            return
        subfolders: list[str] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir and self.recursive:
                subfolders.append(entry.path)
            elif is_image_name(entry.name):
                yield Entry(entry.path)  # a folder named x.png gets its own error row
            elif is_dir:
                unsearched[0] += 1
            else:
                self.skipped += 1
        chain = (*ancestors, (key, folder)) if key is not None else ancestors
        for sub in subfolders:
            yield from self._folder(sub, chain, unsearched)


def count_entries(paths: Iterable[str | os.PathLike[str]], recursive: bool,
                  stop: object | None = None) -> int | None:
    """How many rows ``Walk`` gives; None when ``stop`` (a threading.Event) was set first."""
    total = 0
    for _ in Walk(paths, recursive, ordered=False):
        total += 1
        if stop is not None and total % 256 == 0 and stop.is_set():  # type: ignore[attr-defined]
            return None
    return total
