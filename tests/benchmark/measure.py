"""Small measuring helpers the benchmark sections share."""

from __future__ import annotations

import os


def rss_bytes() -> int:
    """This process's resident memory."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which ``fraction`` of the samples lie."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
