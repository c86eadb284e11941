"""The batch engine behind ``mnist-desktop classify`` and the Batch tab: files listed
lazily, prepared in worker processes, classified a chunk per model call, written as
CSV/JSON/JSONL. Qt-free.

The GUI and the CLI use only these names. Each is imported from its module when first
named (PEP 562), so ``from mnist_desktop.batch import FORMATS`` loads the output module only:
the command line parses its options without loading the pipeline or OpenCV, and the window
never loads the Dask side (``classify_on_cluster``, ``parse_scheduler``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnist_desktop.batch.cluster import classify_on_cluster, parse_scheduler
    from mnist_desktop.batch.evaluation import EvalReport, Scorer, format_report
    from mnist_desktop.batch.files import load_for_batch
    from mnist_desktop.batch.items import BatchItem, DigitBox
    from mnist_desktop.batch.output import (
        FORMATS,
        AtomicOutput,
        OutputError,
        RowWriter,
        check_writable,
        format_for,
        write_items,
    )
    from mnist_desktop.batch.pool import warm_up
    from mnist_desktop.batch.progress import (
        STATUSES,
        BatchProgress,
        RowStatus,
        format_duration,
    )
    from mnist_desktop.batch.run import BatchOptions, BatchRun, classify_paths

_WHERE = {
    "cluster": ("classify_on_cluster", "parse_scheduler"),
    "evaluation": ("EvalReport", "Scorer", "format_report"),
    "files": ("load_for_batch",),
    "items": ("BatchItem", "DigitBox"),
    "output": ("FORMATS", "AtomicOutput", "OutputError", "RowWriter", "check_writable",
               "format_for", "write_items"),
    "pool": ("warm_up",),
    "progress": ("STATUSES", "BatchProgress", "RowStatus", "format_duration"),
    "run": ("BatchOptions", "BatchRun", "classify_paths"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = ["FORMATS", "STATUSES", "AtomicOutput", "BatchItem", "BatchOptions",
           "BatchProgress", "BatchRun", "DigitBox", "EvalReport", "OutputError", "RowStatus",
           "RowWriter", "Scorer", "check_writable", "classify_on_cluster", "classify_paths",
           "format_duration", "format_for", "format_report", "load_for_batch",
           "parse_scheduler", "warm_up", "write_items"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'mnist_desktop.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mnist_desktop.batch.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
