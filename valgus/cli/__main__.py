"""``python -m valgus.cli``: the ``valgus`` command (tests and servers start it this way)."""

import sys

from valgus.cli.main import console_main

sys.exit(console_main())
