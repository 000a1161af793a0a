"""Every Python and shell example in README.md runs, so an example that drifts fails CI.

Conventions for README examples (anyone adding a section follows them; this module finds
every fenced block by itself, so a new section needs nothing here):

- A fenced block tagged ``python``, ``bash``, ``sh`` or ``shell`` is an example, and runs. Any
  other tag (``text``, ``console``, ``yaml``, ``json``, none) is output or data: not run.
- An example is complete: it imports what it uses and defines what it needs.
- An example is not run when the line right above its opening fence is
  ``<!-- not-tested: CATEGORY - why -->``, with CATEGORY one of
    - ``install``: creates environments or installs packages (minutes, network);
    - ``aws``: needs an AWS account;
    - ``repo``: changes the repository (regenerates code, re-records cassettes);
    - ``server``: runs in the foreground until interrupted;
    - ``fragment``: continues an example above and cannot run alone. A Python fragment must
      still compile (top-level ``await`` allowed) and its imports are executed, so a renamed
      name still fails.
  Keep these few: an example that can run should run. ``<!-- test-command -->`` marks the
  README's test command, which ``.ci/run`` runs itself.
- A Python example that defines ``test_`` functions is a pytest example: it is written to a
  fresh project directory (holding a copy of the repository's ``examples/``, standing for your
  own application) and run by ``pytest`` with sagetune's plugin and nothing else (no
  pytest-asyncio, no anyio plugin, no configuration); one that uses a cassette
  (``sagetune_cassette``) records it on that run (record mode ``once``), then runs again as
  CI runs it (``CI=true``: replay only).
- Any other Python example runs as a script (``python example.py``) in a fresh directory.
- A shell example runs with ``bash -e`` in a fresh directory holding links to the
  repository's ``cassettes/`` and ``examples/``, with ``sagetune`` and ``python`` on PATH and
  HOME in that directory. Processes it starts in the background (``sagetune serve ... &``) are
  stopped when it ends; one that starts ``sagetune serve --port N`` fails at once when
  something already listens on N (rather than changing that service's state).
- Scripts and shell examples talk to a sagetune simulator on a loopback port:
  ``AWS_ENDPOINT_URL_SAGEMAKER``, the simulator's key (``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``) and ``AWS_DEFAULT_REGION=us-east-1`` are set, and it holds a
  finished tuning job named ``xgb-1`` for examples that read one. An example may set its own.
- Examples run concurrently, each in its own directory: none may depend on another. Each
  must exit 0 within two minutes.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from sagetune import SageMakerClient
from sagetune.codec import from_wire
from sagetune.model import shapes
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Simulator
from sagetune.simulator.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RUN_TAGS = frozenset({"python", "bash", "sh", "shell"})
CATEGORIES = frozenset({"install", "aws", "repo", "server", "fragment"})
EXAMPLE_TIMEOUT = 120.0
KNOWN_JOB = "xgb-1"

_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<tag>[\w+-]*)\s*$")
_NOT_TESTED = re.compile(r"<!--\s*not-tested:\s*(?P<category>[\w-]+)\s*-\s*(?P<why>\S.*?)\s*-->")


@attrs.frozen(kw_only=True)
class Example:
    """A fenced block of README.md: where it starts, its tag, its code, the marker above."""

    line: int
    tag: str
    code: str
    marker: str | None

    @property
    def id(self) -> str:
        return f"README.md:{self.line}-{self.tag}"

    @property
    def runnable(self) -> bool:
        return self.tag in RUN_TAGS

    @property
    def not_tested(self) -> re.Match[str] | None:
        return _NOT_TESTED.fullmatch(self.marker) if self.marker else None

    @property
    def skipped(self) -> bool:
        return self.marker is not None and (
            self.marker == "<!-- test-command -->" or self.not_tested is not None
        )

    @property
    def pytest_example(self) -> bool:
        return (
            self.tag == "python"
            and re.search(r"^\s*(async\s+)?def test_", self.code, re.M) is not None
        )


def readme_examples(text: str) -> list[Example]:
    """Every fenced block, with the HTML comment on the line right above it (if any)."""
    lines = text.splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent = len(opening.group("indent"))
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        above = lines[i - 1].strip() if i > 0 else ""
        found.append(
            Example(
                line=i + 1,
                tag=opening.group("tag").lower(),
                code="\n".join(body) + "\n",
                marker=above if above.startswith("<!--") else None,
            )
        )
        i = j + 1
    return found


EXAMPLES = [e for e in readme_examples(README.read_text(encoding="utf-8")) if e.runnable]
RUN = [e for e in EXAMPLES if not e.skipped]
FRAGMENTS = [
    e
    for e in EXAMPLES
    if e.tag == "python" and e.not_tested is not None and e.not_tested["category"] == "fragment"
]


def test_markers_name_a_known_category_and_a_reason() -> None:
    for example in readme_examples(README.read_text(encoding="utf-8")):
        if example.marker is None or example.marker == "<!-- test-command -->":
            continue
        marked = example.not_tested
        assert marked is not None, f"{example.id}: unknown marker {example.marker!r}"
        assert marked["category"] in CATEGORIES, f"{example.id}: {marked['category']!r}"
        assert example.runnable, f"{example.id}: a {example.tag!r} block is never run anyway"


def test_the_readme_has_examples_to_run() -> None:
    assert len(RUN) >= 10
    assert any(e.pytest_example for e in RUN)


# -- the service the examples talk to ----------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    """A simulator on a loopback port (clock as fast as it goes) holding a finished
    ``xgb-1`` tuning job."""
    simulator = Simulator(time_scale="max")
    with BackgroundServer(simulator) as served:
        url = served.start()
        document: dict[str, Any] = yaml.safe_load(
            (ROOT / "examples" / "requests" / "xgboost-curve.yaml").read_text()
        )
        document["HyperParameterTuningJobName"] = KNOWN_JOB
        document["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 4
        with SageMakerClient(
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
            aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
        ) as client:
            client.create_hyper_parameter_tuning_job(
                from_wire(shapes.CreateHyperParameterTuningJobRequest, document)
            )
            client.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
                shapes.DescribeHyperParameterTuningJobRequest(
                    hyper_parameter_tuning_job_name=KNOWN_JOB
                ),
                delay=0.05,
            )
        yield url


def _environment(home: Path, url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SAGETUNE_", "PYTEST_")) and k not in ("CI", "COLUMNS")
    }
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION="us-east-1",
        COLUMNS="120",
        PYTHONUNBUFFERED="1",
    )
    if url is not None:
        env["AWS_ENDPOINT_URL_SAGEMAKER"] = url
    return env


def _run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run in a session of its own; once it has exited, stop whatever it left running in the
    background (a ``sagetune serve ... &``). Output goes through files: a background process
    may hold a pipe open long after the example is done."""
    with (cwd.parent / "stdout").open("w+") as out, (cwd.parent / "stderr").open("w+") as err:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=err, text=True, start_new_session=True
        )
        try:
            code = process.wait(timeout=EXAMPLE_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = -1
            err.write(f"\n(killed after {EXAMPLE_TIMEOUT:g} s)")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(argv, code, out.read(), err.read())


def _report(example: Example, result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{example.id} exited {result.returncode}\n--- example ---\n{example.code}"
        f"--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"
    )


# -- running them ------------------------------------------------------------------------------

PARALLEL = max(2, min(4, os.cpu_count() or 2))
"""Examples run at once: each is a few processes that mostly start up and wait."""


@pytest.fixture(scope="module")
def outcomes(
    service: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[str | None]]]:
    """Every example, started at once (a few at a time, shell sessions first: they take
    longest); each test then waits for its own. A result is None, or what went wrong."""
    pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="readme-example")
    ordered = sorted(RUN, key=lambda e: (e.tag == "python", e.line))
    futures = {
        example.id: pool.submit(_run_example, example, tmp_path_factory.mktemp("example"), service)
        for example in ordered
    }
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("example", RUN, ids=[e.id for e in RUN])
def test_readme_example_runs(example: Example, outcomes: dict[str, Future[str | None]]) -> None:
    failure = outcomes[example.id].result(timeout=4 * EXAMPLE_TIMEOUT)
    assert failure is None, failure


def _run_example(example: Example, directory: Path, url: str) -> str | None:
    home = directory / "home"
    home.mkdir()
    work = directory / "work"
    work.mkdir()
    if example.pytest_example:
        return _run_pytest_example(example, work, home)
    env = _environment(home, url)
    if example.tag == "python":
        (work / "example.py").write_text(example.code)
        result = _run([sys.executable, "example.py"], cwd=work, env=env)
    else:
        busy = _busy_ports(example.code)
        if busy:  # it would talk to whatever listens there, and change its state
            return f"{example.id} starts a server on port(s) {busy}, which something else uses"
        for shared in ("cassettes", "examples"):
            (work / shared).symlink_to(ROOT / shared, target_is_directory=True)
        (work / "example.sh").write_text(example.code)
        result = _run(["bash", "-e", "example.sh"], cwd=work, env=env)
    return None if result.returncode == 0 else _report(example, result)


def _busy_ports(code: str) -> list[int]:
    busy = []
    for port in sorted({int(p) for p in re.findall(r"sagetune serve\b.*?--port (\d+)", code)}):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    return busy


def _run_pytest_example(example: Example, work: Path, home: Path) -> str | None:
    shutil.copytree(
        ROOT / "examples", work / "examples", ignore=shutil.ignore_patterns("__pycache__")
    )
    (work / "test_readme_example.py").write_text(example.code)
    env = _environment(home, None)
    argv = [sys.executable, "-m", "pytest", "-p", "no:asyncio", "-p", "no:anyio", "-q"]
    phases: list[tuple[str, dict[str, str]]] = [("run", {})]
    if "sagetune_cassette" in example.code:  # record, then replay as CI does
        phases.append(("replay", {"CI": "true"}))
    for phase, extra in phases:
        result = _run([*argv, "test_readme_example.py"], cwd=work, env={**env, **extra})
        if result.returncode != 0:
            return f"({phase}) " + _report(example, result)
    return None


@pytest.mark.parametrize("example", FRAGMENTS, ids=[e.id for e in FRAGMENTS])
def test_readme_fragment_compiles_and_its_imports_exist(example: Example) -> None:
    tree = compile(
        example.code, example.id, "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    assert isinstance(tree, ast.Module)
    imports = ast.Module(
        body=[node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)],
        type_ignores=[],
    )
    exec(compile(imports, example.id, "exec"), {})
