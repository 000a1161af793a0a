"""Make the project root importable: these tests read ``codegen`` (a dev tool, not installed)
and share ``tests.model.wire_strategies`` between modules."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
