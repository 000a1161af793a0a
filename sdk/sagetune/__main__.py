"""``python -m sagetune``: the command line (same as the ``sagetune`` script).

The command line is imported only when this module runs as the program, so importing
``sagetune.__main__`` (as tools that scan a package do) loads nothing.
"""

if __name__ == "__main__":
    from sagetune.cli import main

    raise SystemExit(main())
