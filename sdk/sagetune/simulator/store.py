"""SQLite persistence: a file (WAL, one transaction per flush) or ``:memory:`` for tests.

Records are rows with their structured parts as JSON (a record's typed request in its wire
form: the only place the simulator keeps one; its tags); log lines and metric points are
append-only tables. A database of an earlier schema version is upgraded when it is opened. ``flush`` writes everything the engine changed since the last flush,
together with the simulated time, atomically: after a crash the database holds a state the
engine reached, and the engine recomputes what came after it deterministically.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import attrs

from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterTuningJobStatus,
    ObjectiveStatus,
    SecondaryStatus,
    TrainingJobStatus,
)
from sagetune.simulator.records import (
    CompletionReason,
    Phase,
    StatusTransition,
    StopReason,
    TrainingJobRecord,
    TuningJobRecord,
)
from sagetune.simulator.requests import request_from_wire, request_to_wire

SCHEMA_VERSION = 2
"""2: records have ``tags``. 1: without them (upgraded when opened: ``_upgrade_from_v1``)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tuning_jobs (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS training_jobs (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, tuning_job TEXT, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS training_jobs_by_tuning ON training_jobs (tuning_job, seq);
CREATE TABLE IF NOT EXISTS log_lines (
    job TEXT NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL, line TEXT NOT NULL,
    PRIMARY KEY (job, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_points (
    job TEXT NOT NULL, metric TEXT NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (job, metric, seq)
) WITHOUT ROWID;
"""


_MAX_IN_LIST = 500  # jobs named in SQL; more are filtered while reading
_MAX_MS = 1 << 62  # past any real time, and +1 still fits SQLite's 64-bit integers


def _time_filter(
    sql: str, args: list[object], start_ms: int | None, end_ms: int | None
) -> tuple[str, list[object]]:
    """Add "the line's millisecond timestamp is in [start_ms, end_ms)": floor(t * 1000) >= s
    exactly when t * 1000 >= s, and < e exactly when t * 1000 < e, for integers s and e."""
    if start_ms is not None:
        sql += " AND t * 1000 >= ?"
        args.append(min(max(start_ms, 0), _MAX_MS))
    if end_ms is not None:
        sql += " AND t * 1000 < ?"
        args.append(min(max(end_ms, 0), _MAX_MS))
    return sql, args


class StoreError(RuntimeError):
    """The database cannot be used (wrong schema version, not a simulator database)."""


# Record fields stored under another key (the body format since SCHEMA_VERSION 1).
_TRAINING_KEYS = {"request": "spec"}
_TUNING_KEYS: dict[str, str] = {}


def _body(rec: TrainingJobRecord | TuningJobRecord, keys: dict[str, str], wire: Any) -> str:
    """A record as its JSON body: its fields by name, its request in wire form."""
    data = {keys.get(a.name, a.name): getattr(rec, a.name) for a in attrs.fields(type(rec))}
    data[keys.get("request", "request")] = wire
    if isinstance(rec, TrainingJobRecord):
        data["transitions"] = [[t.status, t.start, t.end, t.message] for t in rec.transitions]
        data["final_metrics"] = {k: list(v) for k, v in rec.final_metrics.items()}
    return json.dumps(data, separators=(",", ":"))


def _training_from_json(text: str) -> TrainingJobRecord:
    data = json.loads(text)
    data["request"] = request_from_wire(CreateTrainingJobRequest, data.pop("spec"))
    data["transitions"] = [
        StatusTransition(status=SecondaryStatus(s), start=start, end=end, message=message)
        for s, start, end, message in data["transitions"]
    ]
    data["final_metrics"] = {k: (v[0], v[1]) for k, v in data["final_metrics"].items()}
    data["status"] = TrainingJobStatus(data["status"])
    data["secondary_status"] = SecondaryStatus(data["secondary_status"])
    data["phase"] = Phase(data["phase"])
    data["objective_status"] = _optional(ObjectiveStatus, data["objective_status"])
    data["stop_reason"] = _optional(StopReason, data["stop_reason"])
    return TrainingJobRecord(**data)


def _tuning_from_json(text: str) -> TuningJobRecord:
    data = json.loads(text)
    data["request"] = request_from_wire(CreateHyperParameterTuningJobRequest, data["request"])
    data["status"] = HyperParameterTuningJobStatus(data["status"])
    data["completion_reason"] = _optional(CompletionReason, data["completion_reason"])
    return TuningJobRecord(**data)


def _tags_of(request: dict[str, Any]) -> dict[str, str]:
    """The Tags of a request in wire form, as a record's tags."""
    return {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}


E = TypeVar("E", bound=StrEnum)


def _optional(enum: type[E], value: str | None) -> E | None:
    return None if value is None else enum(value)


class Store:
    """The simulator's database."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._wire_forms: dict[tuple[type[Any], str], tuple[object, dict[str, Any]]] = {}
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif version == "1":
            self._upgrade_from_v1()
        elif version != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has schema version {version}; this simulator reads version "
                f"{SCHEMA_VERSION}. Use a new --db file."
            )

    def close(self) -> None:
        self._db.close()

    def _upgrade_from_v1(self) -> None:
        """Give every record of a version 1 database its tags: those its Create request
        had; a training job a tuning job launched, its tuning job's (version 1 had no
        AddTags or DeleteTags, so they were the tuning job's at every launch)."""
        with self.transaction():
            owners: dict[str, tuple[int, dict[str, str]]] = {}
            tuning = []
            for name, seq, body in self._db.execute("SELECT name, seq, body FROM tuning_jobs"):
                data = json.loads(body)
                data["tags"] = _tags_of(data["request"])
                owners[name] = (seq, data["tags"])
                tuning.append((json.dumps(data, separators=(",", ":")), name))
            training = []
            for name, seq, owner, body in self._db.execute(
                "SELECT name, seq, tuning_job, body FROM training_jobs"
            ):
                data = json.loads(body)
                data["tags"] = _tags_of(data["spec"])
                launched_by = owners.get(owner) if owner is not None else None
                if launched_by is not None and launched_by[0] < seq:  # not a deleted namesake's
                    data["tags"] = dict(launched_by[1])
                training.append((json.dumps(data, separators=(",", ":")), name))
            self._db.executemany("UPDATE tuning_jobs SET body = ? WHERE name = ?", tuning)
            self._db.executemany("UPDATE training_jobs SET body = ? WHERE name = ?", training)
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- meta

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- records

    def save_tuning_jobs(self, records: Iterable[TuningJobRecord]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO tuning_jobs (name, seq, body) VALUES (?, ?, ?)",
            [(r.name, r.seq, _body(r, _TUNING_KEYS, self._wire(r))) for r in records],
        )

    def save_training_jobs(self, records: Iterable[TrainingJobRecord]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO training_jobs (name, seq, tuning_job, body) VALUES (?, ?, ?, ?)",
            [
                (r.name, r.seq, r.tuning_job, _body(r, _TRAINING_KEYS, self._wire(r)))
                for r in records
            ],
        )

    def _wire(self, rec: TrainingJobRecord | TuningJobRecord) -> dict[str, Any]:
        """The wire form of a record's request, computed once (requests never change)."""
        key = (type(rec), rec.name)
        cached = self._wire_forms.get(key)
        if cached is None or cached[0] is not rec.request:
            cached = self._wire_forms[key] = (rec.request, request_to_wire(rec.request))
        return cached[1]

    def delete_tuning_job(self, name: str) -> None:
        self._db.execute("DELETE FROM tuning_jobs WHERE name = ?", (name,))
        self._wire_forms.pop((TuningJobRecord, name), None)

    def load_tuning_jobs(self) -> list[TuningJobRecord]:
        rows = self._db.execute("SELECT body FROM tuning_jobs ORDER BY seq").fetchall()
        return [_tuning_from_json(body) for (body,) in rows]

    def load_training_jobs(self) -> list[TrainingJobRecord]:
        rows = self._db.execute("SELECT body FROM training_jobs ORDER BY seq").fetchall()
        return [_training_from_json(body) for (body,) in rows]

    # -- logs and metric series

    def append_log_lines(self, rows: Iterable[tuple[str, int, float, str]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO log_lines VALUES (?, ?, ?, ?)", rows)

    def append_metric_points(self, rows: Iterable[tuple[str, str, int, float, float]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO metric_points VALUES (?, ?, ?, ?, ?)", rows)

    def log_lines(
        self, job: str, start: int = 0, limit: int = 10000
    ) -> list[tuple[int, float, str]]:
        """(sequence number, simulated time, line) of a job's log, from ``start``."""
        rows = self._db.execute(
            "SELECT seq, t, line FROM log_lines WHERE job = ? AND seq >= ? ORDER BY seq LIMIT ?",
            (job, start, limit),
        ).fetchall()
        return [(int(s), float(t), str(line)) for s, t, line in rows]

    def log_bounds(self, job: str) -> tuple[int, float, float] | None:
        """(lines, time of the first, time of the last) of a job's log; None without lines.

        Line numbers run from 0 without gaps, so two primary-key lookups say it all."""
        first = self._db.execute(
            "SELECT t FROM log_lines WHERE job = ? ORDER BY seq LIMIT 1", (job,)
        ).fetchone()
        if first is None:
            return None
        last = self._db.execute(
            "SELECT seq, t FROM log_lines WHERE job = ? ORDER BY seq DESC LIMIT 1", (job,)
        ).fetchone()
        return int(last[0]) + 1, float(first[0]), float(last[1])

    def log_events(
        self,
        job: str,
        *,
        after: int = 0,
        before: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int,
        newest_first: bool = False,
    ) -> list[tuple[int, float, str]]:
        """(line number, time, line) of a job's log lines numbered ``after`` <= n <
        ``before`` whose millisecond timestamp lies in [``start_ms``, ``end_ms``): the
        first ``limit`` of them, or the last ``limit`` (newest first) with ``newest_first``."""
        sql = "SELECT seq, t, line FROM log_lines WHERE job = ? AND seq >= ?"
        args: list[object] = [job, after]
        if before is not None:
            sql += " AND seq < ?"
            args.append(before)
        sql, args = _time_filter(sql, args, start_ms, end_ms)
        sql += " ORDER BY seq DESC LIMIT ?" if newest_first else " ORDER BY seq LIMIT ?"
        args.append(limit)
        return [(int(n), float(t), str(line)) for n, t, line in self._db.execute(sql, args)]

    def log_events_across(
        self,
        jobs: Collection[str] | None,
        *,
        start_ms: int | None,
        end_ms: int | None,
        after: tuple[int, str, int] | None,
        descending: bool,
    ) -> Iterator[tuple[int, str, int, float, str]]:
        """(timestamp in ms, job, line number, time, line) of the log lines of ``jobs``
        (None: every job) with a timestamp in [``start_ms``, ``end_ms``), in the order of
        (timestamp, job, line number) - or its reverse - strictly after the key ``after``."""
        sql = "SELECT CAST(t * 1000 AS INTEGER) AS ms, job, seq, t, line FROM log_lines WHERE 1"
        args: list[object] = []
        if jobs is not None and len(jobs) <= _MAX_IN_LIST:
            sql += f" AND job IN ({', '.join('?' * len(jobs))})"
            args.extend(jobs)
        sql, args = _time_filter(sql, args, start_ms, end_ms)
        if after is not None:
            sql += (
                " AND (ms, job, seq) < (?, ?, ?)"
                if descending
                else " AND (ms, job, seq) > (?, ?, ?)"
            )
            args.extend(after)
        order = " DESC" if descending else ""
        sql += f" ORDER BY ms{order}, job{order}, seq{order}"
        cursor = self._db.execute(sql, args)
        while rows := cursor.fetchmany(512):
            for ms, job, seq, t, line in rows:
                if jobs is None or job in jobs:
                    yield int(ms), str(job), int(seq), float(t), str(line)

    def metric_points(
        self, job: str, metric: str, start: float, end: float
    ) -> list[tuple[float, float]]:
        """(time, value) of each point ``metric`` of ``job`` took in [``start``, ``end``)."""
        rows = self._db.execute(
            "SELECT t, value FROM metric_points WHERE job = ? AND metric = ? AND t >= ? AND t < ?"
            " ORDER BY seq",
            (job, metric, start, end),
        )
        return [(float(t), float(value)) for t, value in rows]

    def objective_curves(self, jobs: Iterable[str], metric: str) -> dict[str, list[float]]:
        """Per-epoch values of ``metric`` for each of ``jobs`` (for rebuilding after a restart)."""
        curves: dict[str, list[float]] = {}
        for job in jobs:
            curves[job] = [
                float(v)
                for (v,) in self._db.execute(
                    "SELECT value FROM metric_points WHERE job = ? AND metric = ? ORDER BY seq",
                    (job, metric),
                )
            ]
        return curves
