"""Memory: a process's peak resident memory, as the benchmarks and `run --timings` report it."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_memory_mb() -> float:
    """Return this process's peak resident memory so far, in MB.

    Linux's VmHWM is this process's own; getrusage's figure (the fallback elsewhere) also counts
    the memory of the process that started it, as it was when it started this one.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
