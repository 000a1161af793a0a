"""A warm-started job's report shows its parents' training jobs, apart from its own."""

from __future__ import annotations

from pathlib import Path

from sagetune.cli.demo import demo_request
from sagetune.cli.report import write_report
from sagetune.cli.report_data import collect
from sagetune.codec import from_wire
from sagetune.model import shapes
from tests.cli.conftest import Loopback


async def _run(served: Loopback, name: str, **extra: object) -> None:
    document = {**demo_request(name, jobs=4, parallel=2), **extra}
    request = from_wire(shapes.CreateHyperParameterTuningJobRequest, document)
    await served.client.create_hyper_parameter_tuning_job(request)
    served.sim.run_until_idle()


async def test_report_of_a_warm_started_job_shows_parents_jobs_apart(
    loopback: Loopback, tmp_path: Path
) -> None:
    await _run(loopback, "parent")
    await _run(
        loopback,
        "child",
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
    )

    data = await collect(loopback.client, "child")
    page = write_report(data, tmp_path)

    assert len(data.parent_jobs) == 4
    assert {job.tuning_job for job in data.parent_jobs} == {"parent"}
    assert {job.tuning_job for job in data.jobs} == {"child"}
    assert set(data.curves) == {job.name for job in (*data.parent_jobs, *data.jobs)}
    html = page.read_text()
    assert "<th>Warm start</th><td>IdenticalDataAndAlgorithm from parent</td>" in html
    assert "Warm-start parents&#x27; jobs come first, left of the dashed line." in html
    assert (tmp_path / "objective.png").stat().st_size > 10_000
