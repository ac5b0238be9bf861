"""CPU seconds the processes of a benchmark spend, read from ``/proc`` (Linux).

On a two-core machine the workers, the database, Redis, the fake and the driver share the same
cores, so where the CPU time goes says more than any one process's profile: each figure is
user plus system time over a phase, and their sum over the phase's wall time is the number of
cores kept busy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of one process so far; 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name may hold spaces; the fields after its closing parenthesis do not.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far, on all cores, whoever's processes."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def pids_named(names: Iterable[str]) -> list[int]:
    """Processes whose command name is one of ``names`` (postgres, redis-server)."""
    wanted = set(names)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm in wanted:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent by named groups of processes between ``start`` and ``stop``.

    A group is a function listing its processes, asked at both ends: a database backend that
    connected during the phase counts from zero, one that ended during it is not counted.
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self._before: dict[str, dict[int, float]] = {}
        self._machine = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()
        }

    def start(self) -> None:
        """Take the first reading."""
        self._before = self._read()
        self._machine = machine_busy_seconds()

    def stop(self, seconds: float) -> dict[str, object]:
        """Each group's CPU seconds since ``start``, and the cores kept busy over ``seconds``.

        ``machine_cores_busy`` counts every process of the machine: what it holds beyond the
        groups' total is someone else's load.
        """
        machine = machine_busy_seconds() - self._machine
        spent = {}
        for name, now in self._read().items():
            before = self._before.get(name, {})
            spent[name] = round(sum(value - before.get(pid, 0.0) for pid, value in now.items()), 2)
        return {
            "cpu_seconds": spent,
            "cores_busy": {
                name: round(value / seconds, 2) if seconds > 0 else None
                for name, value in spent.items()
            },
            "cores_busy_total": round(sum(spent.values()) / seconds, 2) if seconds > 0 else None,
            "machine_cores_busy": round(machine / seconds, 2) if seconds > 0 else None,
            "machine_cores": os.cpu_count(),
        }
