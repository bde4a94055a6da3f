"""A ceiling on the memory a command may take, so a runaway template fails alone."""

from __future__ import annotations

import os
from collections.abc import Callable

GIB = 1 << 30
BUDGET = 3 * GIB
"""More address space a command may take than it had when the ceiling was set:
a packet needs about 250 MB more than the command's start (WeasyPrint, its
libraries, fonts and layout), a 1,000-person array or a large logo a little more."""


def limit_memory() -> Callable[[], None]:
    """Cap this process's address space at what it uses now plus ``BUDGET`` (or
    half the machine's memory, if less); return what puts the old limit back.

    A template that asks for gigabytes of text (``'{:>10000000000}'.format(1)``,
    ``'x' * 10**10``) then fails at once with MemoryError, which the command
    reports as an error. Without a ceiling the kernel's out-of-memory killer
    ended it, or another process of the machine, once all memory was gone.
    """
    try:
        import resource

        page = os.sysconf("SC_PAGE_SIZE")
        physical = page * os.sysconf("SC_PHYS_PAGES")
        with open("/proc/self/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * page
    except (ImportError, ValueError, OSError):  # not Linux: no ceiling
        return lambda: None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = in_use + max(GIB, min(BUDGET, physical // 2))
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        return lambda: None  # already as low (a user's ulimit -v)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
