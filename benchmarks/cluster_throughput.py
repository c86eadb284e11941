"""Cluster throughput: ``classify --scheduler local:2`` against the local ``classify``.

    .venv/bin/python benchmarks/cluster_throughput.py [--counts 2000,12000] [--runs 3]
        [--workers 2] [--kill 3000]

Needs Dask (pip install "mnist-desktop[cluster]"). Builds 12,000 small PNGs (28x28 to
128x128, MNIST test digits when MNIST_DIR is set), as ``batch_throughput.py`` does, and runs
the real command as a user does (a new process each time: start-up, model load and, for the
cluster, starting the workers included) on folders of 2,000 and 12,000 of them. The steady
rate is the difference of the two folders' files over the difference of their times (the
start-up cancels out); and, less sensitive to a busy machine, the big folder's files over
the time the command's summary gives (first file to last row). Each command runs ``--runs``
times, interleaved, and the fastest run counts. Both outputs are compared row for row.

Then the failure check: ``--scheduler local:2`` on ``--kill`` files, one of the two worker
processes killed (SIGKILL) once the first rows are written; the output must hold every row
once, identical to the local run's. Takes about 5 minutes on 2 cores, so ``run_all.py``
leaves it out; its last output is in ``CLUSTER_RESULTS.md``. Other programs loading the
CPU skew the numbers (check with ``top``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from batch_throughput import make_small  # noqa: E402


def classify(folder: Path, out: Path, extra: list[str], quiet: bool = True) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE.parent), *filter(None, [os.environ.get("PYTHONPATH")])])}
    command = [sys.executable, "-m", "mnist_desktop", "classify", str(folder), "-o", str(out),
               *(["-q"] if quiet else []), *extra]
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _tree_cpu(process: subprocess.Popen) -> float:
    """CPU seconds of ``process`` and all its descendants, sampled until it ends (each
    process's last sample counts: a few tens of milliseconds may be missed)."""
    import psutil

    last: dict[int, float] = {}
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for member in tree:
            try:
                times = member.cpu_times()
            except psutil.Error:
                continue
            last[member.pid] = times.user + times.system
        time.sleep(0.05)
    return sum(last.values())


def timed(folder: Path, out: Path, extra: list[str]) -> tuple[float, float, float]:
    """The command's wall time, the time its summary gives (from the first file to the
    last row: start-up, model load and starting the workers left out), and the CPU time
    of the command and all its processes (the local pool, the Dask workers)."""
    start = time.perf_counter()
    process = classify(folder, out, extra, quiet=False)
    cpu = _tree_cpu(process)
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"classify {' '.join(extra)} failed ({process.returncode}): {err}")
    found = re.search(r"files in ([\d.]+) s", err)
    return seconds, float(found.group(1)) if found else float("nan"), cpu


def folders(root: Path, counts: list[int]) -> dict[int, Path]:
    source = make_small(root / "all", max(counts), np.random.default_rng(0))
    print(f"{max(counts):,} small PNGs, 28-128 px ({source})\n")
    files = sorted((root / "all").iterdir())
    made = {}
    for count in counts:
        folder = made[count] = root / f"files_{count}"
        folder.mkdir()
        for path in files[:count]:
            os.link(path, folder / path.name)
    return made


def rates(root: Path, made: dict[int, Path], runs: int, workers: int) -> None:
    configs = {"local `classify`": [],
               f"`classify --scheduler local:{workers}`": ["--scheduler", f"local:{workers}"]}
    best: dict[tuple[str, int], tuple[float, float]] = {}
    cpu: dict[tuple[str, int], float] = {}
    outputs: dict[str, list[bytes]] = {}
    for run in range(runs):  # interleaved: a load that comes and goes hits both alike
        for label, extra in configs.items():
            for count, folder in sorted(made.items()):
                out = root / f"out_{len(extra)}_{count}.csv"
                wall, inside, seconds = timed(folder, out, extra)
                old = best.get((label, count), (float("inf"), float("inf")))
                best[label, count] = (min(old[0], wall), min(old[1], inside))
                cpu[label, count] = min(cpu.get((label, count), float("inf")), seconds)
                if run == 0:
                    outputs.setdefault(label, []).append(out.read_bytes())
    print("| command | files | whole command (fastest) | files/s | first file to last row "
          "(fastest) | files/s |")
    print("|---|---:|---:|---:|---:|---:|")
    steady, inner = {}, {}
    for label in configs:
        times = {count: best[label, count] for count in made}
        for count, (wall, inside) in sorted(times.items()):
            print(f"| {label} | {count:,} | {wall:.2f} s | {count / wall:,.0f} | "
                  f"{inside:.2f} s | {count / inside:,.0f} |")
        (n0, (t0, _)), (n1, (t1, i1)) = min(times.items()), max(times.items())
        steady[label] = (n1 - n0) / (t1 - t0) if t1 > t0 else float("nan")
        inner[label] = n1 / i1
    print()
    for label in configs:
        print(f"- {label}: steady rate **{steady[label]:,.0f} files/s** (difference of the "
              f"two folders); **{inner[label]:,.0f} files/s** from the first file to the last "
              "row of the big folder")
    (local, cluster) = configs
    (n0, n1), per = sorted(made), {}
    for label in configs:
        per[label] = 1000 * (cpu[label, n1] - cpu[label, n0]) / (n1 - n0)
        print(f"- {label}: **{per[label]:.2f} CPU seconds per 1,000 files** (all its "
              "processes, difference of the two folders, least of the runs)")
    print(f"- CPU time per file, cluster / local: **{per[cluster] / per[local]:.2f}** (where the "
          "cores are the limit, the cluster reaches about the inverse of this)")
    print(f"- the cluster reaches **{steady[cluster] / steady[local]:.0%}** of the local "
          f"steady rate (difference), **{inner[cluster] / inner[local]:.0%}** first file to "
          "last row")
    same = outputs[local] == outputs[cluster]
    print(f"- outputs identical to the local run's: **{'yes' if same else 'NO'}**\n")


def worker_pids(pid: int) -> list[int]:
    """The Dask worker processes under the command (multiprocessing spawns them)."""
    import psutil

    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in line:
            found.append(child.pid)
    return found


def kill_check(root: Path, made: dict[int, Path], count: int, workers: int) -> None:
    folder = root / f"kill_{count}"
    folder.mkdir()
    for path in sorted(made[max(made)].iterdir())[:count]:
        os.link(path, folder / path.name)
    local_out, cluster_out = root / "kill_local.csv", root / "kill_cluster.csv"
    timed(folder, local_out, [])  # the reference rows
    process = classify(folder, cluster_out, ["--scheduler", f"local:{workers}"])
    killed, rows_then = None, 0
    while process.poll() is None and killed is None:
        parts = list(root.glob(f".{cluster_out.name}.*.part"))
        if parts and parts[0].stat().st_size > 0:
            pids = worker_pids(process.pid)
            if len(pids) == workers:
                rows_then = parts[0].read_bytes().count(b"\n") - 1
                killed = pids[0]
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.005)
    _, err = process.communicate()
    rows = cluster_out.read_bytes().count(b"\n") - 1 if cluster_out.exists() else 0
    same = cluster_out.exists() and cluster_out.read_bytes() == local_out.read_bytes()
    when = (f"killed after about {rows_then:,} rows were written" if killed
            else "NOT killed (the run ended first)")
    print(f"`classify --scheduler local:{workers}` on {count:,} files, one worker {when}: "
          f"exit {process.returncode}, **{rows:,} rows**, identical to the local run: "
          f"**{'yes' if same else 'NO'}**")
    if process.returncode != 0:
        print(err[-2000:], file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="2000,12000", help="folder sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (fastest counts)")
    parser.add_argument("--workers", type=int, default=2, help="local:N workers")
    parser.add_argument("--kill", type=int, default=3000,
                        help="files for the killed-worker check (0 skips it)")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.counts.split(","))
    print(f"CPU cores: {os.cpu_count()}, load average before: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = folders(root, counts)
        rates(root, made, args.runs, args.workers)
        if args.kill:
            kill_check(root, made, min(args.kill, max(counts)), args.workers)
    print(f"\nload average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
