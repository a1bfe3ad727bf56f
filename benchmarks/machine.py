"""How fast this machine runs plain Python right now, printed beside every benchmark's figures.

The figures of `meeting.py`, `dashboard.py` and `first_visit.py` are CPU seconds, and the machines these benchmarks run
on differ: the same commit gave a warm dashboard run of 0.03 s on one and 0.07 to 0.11 s on another. One line,

    machine_reference_s=R

(the best of three runs of a fixed piece of pure-Python work: the sum of the squares below ten million) says how fast
this machine was when the figures were taken, so that figures from two machines can be compared: divide each by R.
It read 0.93 to 1.30 on the machine of 2026-12-01's sixth session.
"""
from __future__ import annotations

import time


def reference_seconds(repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        sum(i * i for i in range(10_000_000))
        best = min(best, time.process_time() - started)
    return best


def print_reference() -> None:
    print(f"machine_reference_s={reference_seconds():.2f}", flush=True)


if __name__ == "__main__":
    print_reference()
