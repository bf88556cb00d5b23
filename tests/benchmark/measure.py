"""Small measuring helpers the benchmark sections share."""

from __future__ import annotations

from collections.abc import Callable
import os

type Report = list[tuple[str, str, Callable[[], bool]]]


def rss_bytes() -> int:
    """This process's resident memory."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which ``fraction`` of the samples lie."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_lines(
    what: str, samples: list[float], *, p50_target: float = 0.005, p99_target: float = 0.020
) -> Report:
    """Report lines for the p50 and p99 of ``samples`` (seconds), against their targets."""
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return [
        (f"{what} p50", f"{p50 * 1000:.2f} ms", lambda: p50 < p50_target),
        (f"{what} p99", f"{p99 * 1000:.2f} ms", lambda: p99 < p99_target),
    ]
