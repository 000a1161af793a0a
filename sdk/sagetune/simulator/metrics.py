"""Metric extraction from training log lines, with a job's own MetricDefinitions.

SageMaker documents the behaviour this follows ("Define metrics and environment
variables", "Monitor and analyze training jobs using metrics"): each MetricDefinition is
a Name and a Regex; the service *searches* every line the algorithm writes to stdout or
stderr with the regex, and the text the parentheses capture is the metric's value. What
the documentation leaves open, decided here:

- One line, one value per metric: the regex is searched (not full-matched) in each line
  separately; the leftmost match counts. A regex with a leading greedy ``.*`` therefore
  picks the *last* candidate in the line, as Python's and Java's engines both do.
- The first capture group is the value. A regex without any group uses the whole match;
  a first group that did not take part in the match gives no value.
- The value must parse as a finite decimal number (surrounding whitespace allowed; no
  ``_`` digit separators, no non-ASCII digits). Anything else - ``nan``, ``inf``, ``abc``,
  an empty capture - is ignored, as is a magnitude above 2**360: SageMaker's metrics go to
  CloudWatch, which rejects NaN, +-Infinity and values outside +-2**360. A line that does
  not match is ignored.
- If two definitions share a Name, the first one (in definition order) that yields a
  value for a line wins.
- Regexes use Python's ``re`` syntax (close to the service's Java syntax for what metric
  regexes use). A regex that does not compile raises :class:`MetricDefinitionError`
  naming the metric, for the service to turn into a ValidationException.

Time budget (the simulator's own rule; the service documents none): a regex with
catastrophic backtracking (``loss: ((.|\\S)+)+!``) can take seconds or hours on one line.
Accepted regexes are compiled with ``re`` (its syntax and error messages) *and* with the
``regex`` package (mrab-regex, whose default VERSION0 matches like ``re``), which searches:
it releases the GIL while matching and takes a ``timeout``. Each search may use
``SEARCH_TIMEOUT`` seconds of CPU; a search that exceeds it raises
:class:`MetricSearchTimeout`, and the training job fails with a ClientError FailureReason
naming the metric (``training.py`` also caps a job's total search time).

Speed: compiling is cached per tuple of definitions (a tuning job's 750 training jobs
share one compile). Each definition also gets a literal that every match must contain
(``#011validation-rmse:`` for SageMaker XGBoost's validation:rmse regex, which starts
with ``.*``); a line without it is skipped with a substring test instead of a regex
search. That matters for regexes starting with ``.*``: on a line that does not match,
searching them costs time quadratic in the line length (about 10 us for 100 characters,
against 0.1 us for the substring test).
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import regex as mrab_regex

__all__ = [
    "SEARCH_TIMEOUT",
    "CompiledMetric",
    "CompiledMetrics",
    "MetricDefinitionError",
    "MetricSearchTimeout",
    "compile_metric_definitions",
    "parse_metric_value",
]

_CLOUDWATCH_LIMIT = 2.0**360

SEARCH_TIMEOUT = 0.1
"""CPU seconds one regex search of one log line may take (a normal one takes microseconds;
the ``regex`` package counts the process's CPU time, so on 2 busy cores this is >= 50 ms of
wall time)."""


class MetricSearchTimeout(Exception):
    """A MetricDefinition's Regex took longer than its budget to search one log line."""

    def __init__(self, metric_name: str, regex_text: str, seconds: float) -> None:
        super().__init__(
            f"the MetricDefinitions Regex of metric {metric_name!r} took more than "
            f"{seconds:g} s to search one log line (catastrophic backtracking?): "
            f"{_shortened(regex_text)}"
        )
        self.metric_name = metric_name
        self.regex = regex_text
        self.seconds = seconds


def _shortened(text: str, limit: int = 200) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[:limit]}... ({len(text)} characters)"


class MetricDefinitionError(ValueError):
    """A MetricDefinition's Regex cannot be used."""

    def __init__(self, metric_name: str, regex: str, reason: str) -> None:
        super().__init__(
            f"MetricDefinition {metric_name!r} has an invalid Regex {regex!r}: {reason}"
        )
        self.metric_name = metric_name
        self.regex = regex
        self.reason = reason


def parse_metric_value(text: str) -> float | None:
    """The metric value a captured text stands for, or None if SageMaker would drop it."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or abs(value) > _CLOUDWATCH_LIMIT:
        return None
    if "_" in text or not text.isascii():
        return None
    return value


@attrs.frozen(kw_only=True)
class CompiledMetric:
    """One MetricDefinition, ready to search lines."""

    name: str
    regex: str
    pattern: mrab_regex.Pattern[str] = attrs.field(eq=False, repr=False)
    required_literal: str | None
    """A substring every match contains (None when none could be derived)."""

    @property
    def value_group(self) -> int:
        """The group holding the value: the first capture group, or 0 (whole match)."""
        return 1 if self.pattern.groups >= 1 else 0

    def search(self, line: str, timeout: float | None = SEARCH_TIMEOUT) -> float | None:
        """The value this metric takes from ``line``, if any (MetricSearchTimeout when the
        search takes more than ``timeout`` CPU seconds; None: no limit)."""
        literal = self.required_literal
        if literal is not None and literal not in line:
            return None
        try:
            match = self.pattern.search(line, timeout=timeout)
        except TimeoutError:
            assert timeout is not None
            raise MetricSearchTimeout(self.name, self.regex, timeout) from None
        if match is None:
            return None
        text = match.group(self.value_group)
        return None if text is None else parse_metric_value(text)


_Plan = tuple[tuple[str, str, str | None, Any, int], ...]


@attrs.frozen(kw_only=True)
class CompiledMetrics:
    """A training job's MetricDefinitions, compiled: ``extract(line)`` gives its values."""

    metrics: tuple[CompiledMetric, ...]
    _plan: _Plan = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        plan = tuple(
            (m.name, m.regex, m.required_literal, m.pattern.search, m.value_group)
            for m in self.metrics
        )
        object.__setattr__(self, "_plan", plan)

    @property
    def names(self) -> tuple[str, ...]:
        """Metric names, in definition order, without duplicates."""
        return tuple(dict.fromkeys(m.name for m in self.metrics))

    def extract(self, line: str, timeout: float | None = SEARCH_TIMEOUT) -> dict[str, float]:
        """The metrics ``line`` reports: ``{name: value}`` (empty for most lines).

        Raises MetricSearchTimeout when one regex takes more than ``timeout`` CPU seconds
        on the line (None: no limit).
        """
        found: dict[str, float] = {}
        for name, regex_text, literal, search, group in self._plan:
            if literal is not None and literal not in line:
                continue
            try:
                match = search(line, timeout=timeout)
            except TimeoutError:
                assert timeout is not None
                raise MetricSearchTimeout(name, regex_text, timeout) from None
            if match is None or name in found:
                continue
            text = match.group(group)
            if text is None:
                continue
            value = parse_metric_value(text)
            if value is not None:
                found[name] = value
        return found

    def extract_lines(self, lines: Iterable[str]) -> list[tuple[str, float]]:
        """Every (name, value) the lines report, in order (a whole log at once)."""
        return [item for line in lines for item in self.extract(line).items()]


def _normalize(
    definitions: Iterable[tuple[str, str] | Mapping[str, str]],
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for definition in definitions:
        if isinstance(definition, Mapping):
            pairs.append((definition["Name"], definition["Regex"]))
        else:
            name, regex = definition
            pairs.append((name, regex))
    return tuple(pairs)


def compile_metric_definitions(
    definitions: Iterable[tuple[str, str] | Mapping[str, str]],
) -> CompiledMetrics:
    """Compile MetricDefinitions given as ``(Name, Regex)`` pairs or ``{"Name", "Regex"}``
    dicts (the API shape). Raises MetricDefinitionError for a regex that does not compile.
    """
    return _compile(_normalize(definitions))


@functools.lru_cache(maxsize=256)
def _compile(pairs: tuple[tuple[str, str], ...]) -> CompiledMetrics:
    metrics = []
    for name, regex in pairs:
        if not regex:
            raise MetricDefinitionError(name, regex, "the regular expression is empty")
        try:
            re.compile(regex)  # the syntax accepted, and the error messages, are re's
            pattern = _search_engine(regex)
        except re.error as exc:
            raise MetricDefinitionError(name, regex, str(exc)) from None
        except (OverflowError, RecursionError) as exc:
            raise MetricDefinitionError(name, regex, f"too complex ({exc})") from None
        metrics.append(
            CompiledMetric(
                name=name, regex=regex, pattern=pattern, required_literal=required_literal(regex)
            )
        )
    return CompiledMetrics(metrics=tuple(metrics))


def _search_engine(regex_text: str) -> mrab_regex.Pattern[str]:
    """The ``regex`` package's compile of a pattern ``re`` accepted (VERSION0: ``re``'s
    matching rules); a pattern only ``re`` accepts is reported as ``re`` would report it."""
    try:
        return mrab_regex.compile(regex_text, mrab_regex.VERSION0)
    except mrab_regex.error as exc:
        raise re.error(f"not supported by the simulator's search engine: {exc}") from None


# --- the prefilter -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _ParserApi:
    """The pieces of CPython's private regex parser the prefilter reads."""

    parse: Any
    literal: Any
    subpattern: Any
    repeats: tuple[Any, ...]
    atomic_group: Any


def _load_parser() -> _ParserApi | None:
    try:
        parser = importlib.import_module("re._parser")
        constants = importlib.import_module("re._constants")
        repeats = tuple(
            getattr(constants, name)
            for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
            if hasattr(constants, name)
        )
        return _ParserApi(
            parse=parser.parse,
            literal=constants.LITERAL,
            subpattern=constants.SUBPATTERN,
            repeats=repeats,
            atomic_group=getattr(constants, "ATOMIC_GROUP", None),
        )
    except (ImportError, AttributeError):  # pragma: no cover - CPython 3.11+ has them
        return None


_PARSER = _load_parser()


def required_literal(regex: str) -> str | None:
    """The longest string that every match of ``regex`` must contain, if one is evident.

    Walks the parsed pattern (CPython's ``re._parser``) along its top-level sequence:
    consecutive literal characters form a run, groups are entered (their content matches
    in sequence, so a run continues through them), the body of a repetition with a
    minimum of one or more is searched for runs of its own, and everything else
    (classes, alternations, optional parts, anchors, lookarounds) ends a run.
    Case-insensitive patterns get no literal. Any surprise (another Python, a pattern
    the parser rejects) gives None, which only costs speed.
    """
    api = _PARSER
    if api is None:  # pragma: no cover
        return None
    try:
        parsed = api.parse(regex, 0)
        if parsed.state.flags & re.IGNORECASE:
            return None
        runs: list[str] = []
        current: list[str] = []
        _collect_runs(api, parsed, runs, current)
        runs.append("".join(current))
    except Exception:  # a private API: never let it break extraction
        return None
    best = max(runs, key=len)
    return best or None


def _collect_runs(api: _ParserApi, items: Any, runs: list[str], current: list[str]) -> None:
    """Extend ``current`` (the open run) along ``items``; closed runs go to ``runs``."""

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, av in items:
        if op is api.literal:
            current.append(chr(av))
        elif op is api.subpattern:
            _group, add_flags, _del_flags, body = av
            if add_flags & re.IGNORECASE:
                close()
            else:
                _collect_runs(api, body, runs, current)
        elif api.atomic_group is not None and op is api.atomic_group:
            _collect_runs(api, av, runs, current)
        elif op in api.repeats:
            minimum, _maximum, body = av
            close()
            if minimum >= 1:
                inner: list[str] = []
                _collect_runs(api, body, runs, inner)
                runs.append("".join(inner))
        else:
            close()
