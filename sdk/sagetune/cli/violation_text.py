"""Violations as a person at a terminal reads them.

The service's wording is kept (``Value 'X' at 'path' failed to satisfy constraint: ...``),
except that an enum value set too long to read on one line (InstanceType has over 200) is cut
to its first values and the count of the others, followed by the allowed values closest to
the one given.
"""

from __future__ import annotations

import difflib

import attrs

from sagetune.errors import Violation

ENUM_RULE = "Member must satisfy enum value set: ["
SHOWN = 8
"""Allowed values listed before ``... N more``."""


def readable(violation: Violation) -> str:
    """The violation's message, with a long enum value set shortened."""
    rule = violation.rule
    if rule.startswith(ENUM_RULE) and rule.endswith("]"):
        allowed = rule[len(ENUM_RULE) : -1].split(", ")
        if len(allowed) > SHOWN + 2:
            shown = ", ".join(allowed[:SHOWN])
            rule = f"{ENUM_RULE}{shown}, ... {len(allowed) - SHOWN} more]"
            close = difflib.get_close_matches(str(violation.value), allowed, n=3, cutoff=0.5)
            if close:
                rule += f"; closest: {', '.join(close)}"
    return attrs.evolve(violation, rule=rule).message()
