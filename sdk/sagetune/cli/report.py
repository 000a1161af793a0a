"""``sagetune report``: fetch a tuning job's data, draw its charts, write the page.

matplotlib (the ``cli`` extra) is imported only here and in the chart module, so the other
commands start without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sagetune.cli.report_data import ReportData, collect

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient


def write_report(data: ReportData, directory: Path) -> Path:
    """Charts and page into ``directory`` (created if needed); returns the page's path."""
    from sagetune.cli.report_charts import write_charts
    from sagetune.cli.report_html import write_html

    directory.mkdir(parents=True, exist_ok=True)
    charts = write_charts(data, directory)
    return write_html(data, charts, directory)


async def report(
    client: AsyncSageMakerClient, name: str, directory: Path, *, profile: str | None = None
) -> tuple[Path, ReportData]:
    """Collect the tuning job's data and write its report; returns the page and the data
    (``profile``: of the shared config files, for the CloudWatch client)."""
    data = await collect(client, name, profile=profile)
    return write_report(data, directory), data
