"""The batch engine behind ``mnist-desktop classify`` and the Batch tab: files listed
lazily, prepared in worker processes, classified a chunk per model call, written as
CSV/JSON/JSONL. Qt-free.

The GUI and the CLI use only these names. The Dask side (``classify_on_cluster``,
``parse_scheduler``) is imported when first named, so the window never loads it.
"""

from typing import Any

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
from mnist_desktop.batch.progress import STATUSES, BatchProgress, RowStatus, format_duration
from mnist_desktop.batch.run import BatchOptions, BatchRun, classify_paths

__all__ = ["FORMATS", "STATUSES", "AtomicOutput", "BatchItem", "BatchOptions",
           "BatchProgress", "BatchRun", "DigitBox", "EvalReport", "OutputError", "RowStatus",
           "RowWriter", "Scorer", "check_writable", "classify_on_cluster", "classify_paths",
           "format_duration", "format_for", "format_report", "load_for_batch",
           "parse_scheduler", "warm_up", "write_items"]

_CLUSTER = ("classify_on_cluster", "parse_scheduler")


def __getattr__(name: str) -> Any:
    if name in _CLUSTER:
        from mnist_desktop.batch import cluster

        return getattr(cluster, name)
    raise AttributeError(f"module 'mnist_desktop.batch' has no attribute {name!r}")
