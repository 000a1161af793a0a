"""Translate the service's Java regular expressions into Python ``re`` syntax.

The service matches with ``java.util.regex`` (full match). Where the dialects differ the
translation keeps Java's meaning:

- ``\\w``, ``\\d``, ``\\s`` and their negations are ASCII-only in Java (no
  UNICODE_CHARACTER_CLASS flag), so they become explicit ASCII classes;
- ``.`` excludes all of Java's line terminators, not only ``\\n``;
- ``\\p{Alnum}`` is the POSIX class ``[a-zA-Z0-9]``;
- ``\\p{Z}`` is Unicode separators (Zs, Zl, Zp), spelled out;
- ``\\p{L}`` together with ``\\p{N}`` in one class is Unicode letters and numbers, which is
  Python's Unicode ``\\w`` without ``_`` (``_`` is added back when the class has it).

A construct the translator does not know raises ``UntranslatablePattern``: generation stops
instead of emitting a pattern that means something else.
"""

from __future__ import annotations

import re

ASCII_WORD = "a-zA-Z0-9_"
ASCII_DIGIT = "0-9"
JAVA_SPACE = " \\t\\n\\x0b\\f\\r"
# Java's "." stops at every line terminator, Python's only at "\n".
JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
UNICODE_SEPARATORS = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"

# Class items that are sets of their own: (positive content, negated?).
_ESCAPE_SETS: dict[str, tuple[str, bool]] = {
    "w": (ASCII_WORD, False),
    "W": (ASCII_WORD, True),
    "d": (ASCII_DIGIT, False),
    "D": (ASCII_DIGIT, True),
    "s": (JAVA_SPACE, False),
    "S": (JAVA_SPACE, True),
}
_PROPERTY_SETS: dict[str, str] = {
    "Alnum": "a-zA-Z0-9",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Z": UNICODE_SEPARATORS,
}


class UntranslatablePattern(ValueError):
    """The pattern uses a Java construct this translator cannot express exactly."""


def translate(pattern: str) -> str:
    """Return a Python pattern that full-matches exactly the strings the Java one does."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            token, i = _escape(pattern, i)
            out.append(_outside_class(token, pattern))
        elif ch == "[":
            text, i = _char_class(pattern, i)
            out.append(text)
        elif ch == ".":
            out.append(JAVA_DOT)
            i += 1
        else:
            out.append(ch)
            i += 1
    result = "".join(out)
    re.compile(result)  # fail generation, not a user's request, on a bad translation
    return result


def _escape(pattern: str, i: int) -> tuple[str, int]:
    """Read one escape starting at ``pattern[i] == '\\'``; return it and the next index."""
    if i + 1 >= len(pattern):
        raise UntranslatablePattern(f"dangling backslash in {pattern!r}")
    nxt = pattern[i + 1]
    if nxt in "pP":
        end = pattern.index("}", i)
        return pattern[i : end + 1], end + 1
    return pattern[i : i + 2], i + 2


def _property(token: str, pattern: str) -> str:
    name = token[3:-1]
    if token[1] == "P":
        raise UntranslatablePattern(f"negated property {token} in {pattern!r}")
    return name


def _outside_class(token: str, pattern: str) -> str:
    letter = token[1]
    if letter in _ESCAPE_SETS:
        content, negated = _ESCAPE_SETS[letter]
        return f"[{'^' if negated else ''}{content}]"
    if letter in "pP":
        name = _property(token, pattern)
        if name in _PROPERTY_SETS:
            return f"[{_PROPERTY_SETS[name]}]"
        raise UntranslatablePattern(f"{token} outside a class in {pattern!r}")
    return token


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """Translate the class starting at ``pattern[start] == '['``."""
    i = start + 1
    negated = pattern[i] == "^"
    if negated:
        i += 1
    literal: list[str] = []
    negated_sets: list[str] = []
    properties: set[str] = set()
    first = True
    while True:
        if i >= len(pattern):
            raise UntranslatablePattern(f"unterminated class in {pattern!r}")
        ch = pattern[i]
        if ch == "]" and not first:
            i += 1
            break
        first = False
        if ch == "[":
            raise UntranslatablePattern(f"nested class in {pattern!r}")
        if ch == "\\":
            token, i = _escape(pattern, i)
            letter = token[1]
            if letter in _ESCAPE_SETS:
                content, is_negated = _ESCAPE_SETS[letter]
                (negated_sets if is_negated else literal).append(content)
            elif letter in "pP":
                name = _property(token, pattern)
                if name in _PROPERTY_SETS:
                    literal.append(_PROPERTY_SETS[name])
                else:
                    properties.add(name)
            else:
                literal.append(token)
            continue
        literal.append(ch)
        i += 1
    body = "".join(literal)
    if properties:
        if properties != {"L", "N"}:
            raise UntranslatablePattern(f"class properties {sorted(properties)} in {pattern!r}")
        # Unicode \w is letters, numbers and "_": exact for L+N when "_" is in the class too.
        if "_" not in body:
            raise UntranslatablePattern(f"\\p{{L}}\\p{{N}} without '_' in {pattern!r}")
        body = "\\w" + body
    if negated and negated_sets:
        raise UntranslatablePattern(f"negated class with negated sets in {pattern!r}")
    prefix = "^" if negated else ""
    if any(s in literal for s in negated_sets):
        return "(?s:.)", i  # a set together with its complement: any character
    if not negated_sets:
        return f"[{prefix}{body}]", i
    branches = ([f"[{body}]"] if body else []) + [f"[^{s}]" for s in negated_sets]
    return "(?:" + "|".join(branches) + ")", i


def without_captures(regex: str) -> str:
    """``regex`` (Python syntax, as ``translate`` writes it) with every capturing group made
    non-capturing: a full match means the same, and the engine does less work per repeat
    (``(-*[a-z0-9]){0,62}`` is about a third faster as ``(?:-*[a-z0-9]){0,62}``)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            if regex[i + 1 : i + 2].isdigit():
                raise UntranslatablePattern(f"backreference in {regex!r}")
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":  # copy the opening, a "^" and a leading literal "]" as they are
            j = i + 1 + (regex[i + 1 : i + 2] == "^")
            j += regex[j : j + 1] == "]"
            out.append(regex[i:j])
            i, in_class = j, True
            continue
        elif ch == "(" and regex[i + 1 : i + 2] != "?":
            out.append("(?:")
            i += 1
            continue
        out.append(ch)
        i += 1
    result = "".join(out)
    re.compile(result)
    return result
