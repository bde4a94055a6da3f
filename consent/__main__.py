"""``python -m consent``: the same command line as the ``consent`` script."""

from .cli import main

main()
