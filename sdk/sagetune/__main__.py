"""``python -m sagetune``: the command line (same as the ``sagetune`` script)."""

from sagetune.cli import main

raise SystemExit(main())
