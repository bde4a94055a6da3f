"""Every error `consent` raises on purpose.

    ConsentError                 base: one clear sentence, safe to show a user
    ├── TableError               a risk table cannot be used
    │   ├── TableNotFound        unknown procedure or version
    │   └── TableInvalid         the file is not valid YAML or breaks the schema
    ├── InputError               a value given by the user is wrong (a bad date...)
    ├── OutputError              the packet cannot be written where asked
    └── RenderError              the packet could not be laid out or written as PDF

The library raises these and never prints or exits; only ``cli.py`` turns them
into a message on stderr and an exit code. Messages name the file, field or
YAML path at fault and never contain patient data.
"""

from __future__ import annotations


class ConsentError(Exception):
    """Base of every error raised on purpose; ``str(error)`` is the user message."""


class TableError(ConsentError):
    """A risk table cannot be used."""


class TableNotFound(TableError):
    """No risk table exists for the procedure or version asked for."""


class TableInvalid(TableError):
    """A risk table file exists but is not valid.

    ``problems`` holds every problem found, each one line naming the file,
    line and YAML path; ``str()`` joins them.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputError(ConsentError):
    """A value given by the user is malformed (a date, a name, an option)."""


class OutputError(ConsentError):
    """The packet cannot be written to the path asked for."""


class RenderError(ConsentError):
    """Layout or PDF writing failed."""
