"""``python -m postmortems``: the same as the ``postmortems`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
