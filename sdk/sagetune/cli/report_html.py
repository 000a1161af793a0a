"""The report page: one static HTML file that shows the charts next to it and the facts of
the tuning job (status, objective, best training jobs), readable without a server.

Everything shown is escaped; the page has no scripts and loads nothing from the network.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from sagetune.cli.report_charts import Chart
from sagetune.cli.report_data import ReportData
from sagetune.cli.tables import summary_rows
from sagetune.cli.tuning_facts import (
    format_duration,
    format_hyperparameter,
    format_value,
    ranked,
)

TOP_JOBS = 10

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1060px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.meta { color: #666; font-size: 0.9rem; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.6rem 0.9rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
table.jobs th, table.jobs td { border-bottom: 1px solid #eee; }
.scroll { overflow-x: auto; }
table.jobs td, table.jobs th { white-space: nowrap; }
table.jobs td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { font-weight: 600; color: #1b7a1b; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
"""


def write_html(data: ReportData, charts: Sequence[Chart], directory: Path) -> Path:
    """Write ``index.html`` into ``directory`` and return its path."""
    path = directory / "index.html"
    path.write_text(render_html(data, charts), encoding="utf-8")
    return path


def render_html(data: ReportData, charts: Sequence[Chart]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>Tuning report: {e(data.name)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>Tuning job {e(data.name)}</h1>",
        f'<p class="meta">{e(data.status)} · report generated '
        f"{e(data.generated.strftime('%Y-%m-%d %H:%M:%S UTC'))} from {e(data.endpoint)}</p>",
    ]
    if data.curves_error is not None:
        parts.append(
            '<p class="note">Final metrics only: the learning curves could not be read from '
            f"CloudWatch metrics ({e(data.curves_error)}).</p>"
        )
    if data.missing_parents:
        parts.append(
            '<p class="note">Warm-start parents that could not be read (deleted, or not '
            f"visible with these credentials): {e(', '.join(data.missing_parents))}.</p>"
        )
    parts.append("<h2>Summary</h2>")
    parts.append('<table class="summary">')
    rows = summary_rows(
        data.description,
        completion_reason=data.completion_reason,
        stopped_early=data.stopped_early,
        simulated_now=data.simulated_now,
    )
    for label, text in rows:
        parts.append(f"<tr><th>{e(label)}</th><td>{e(text)}</td></tr>")
    parts.append("</table>")
    parts.extend(_best_jobs(data))
    for chart in charts:
        parts.append(f"<h2>{e(chart.title)}</h2>")
        parts.append("<figure>")
        parts.append(
            f'<img src="{e(chart.filename)}" width="{chart.width}" height="{chart.height}" '
            f'alt="{e(chart.title)}">'
        )
        parts.append(f"<figcaption>{e(chart.description)}</figcaption>")
        parts.append("</figure>")
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts)


def _best_jobs(data: ReportData) -> list[str]:
    e = html.escape
    jobs = ranked(data.jobs, data.objective)[:TOP_JOBS]
    if not jobs:
        return []
    metric = data.objective.metric if data.objective is not None else "objective"
    names = [p.name for p in data.parameters]
    out = [f"<h2>Best training jobs (top {len(jobs)} of {len(data.jobs)})</h2>"]
    out.append('<div class="scroll"><table class="jobs">')
    header = ["#", "Training job", "Status", metric, *names, "Time"]
    out.append("<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
    for i, job in enumerate(jobs, 1):
        row_class = ' class="best"' if job.name == data.best_job else ""
        cells = [
            f'<td class="num">{i}</td>',
            f"<td>{e(job.name)}</td>",
            f"<td>{e(job.state)}</td>",
            f'<td class="num">{e(format_value(job.objective))}</td>',
            *(
                f'<td class="num">{e(format_hyperparameter(job.hyperparameters.get(n)))}</td>'
                for n in names
            ),
            f'<td class="num">{e(format_duration(job.training_seconds))}</td>',
        ]
        out.append(f"<tr{row_class}>" + "".join(cells) + "</tr>")
    out.append("</table></div>")
    return out
