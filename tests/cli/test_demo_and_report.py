"""``sagetune demo`` end to end, and the report it writes: image sizes, and a real browser
loading every image of the page."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.conftest import DemoRun

# Pixel sizes the report promises (10 in wide at 100 dpi; 3.2 in per row of three
# hyperparameter panels; the demo tunes 5 hyperparameters: two rows).
EXPECTED_SIZES = {
    "objective.png": (1000, 500),
    "curves.png": (1000, 500),
    "hyperparameters.png": (1000, 640),
}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def test_demo_shows_progress_the_best_jobs_and_the_report_path(demo_run: DemoRun) -> None:
    result = demo_run.result
    assert result.code == 0, result.err
    out = result.out
    assert re.search(r"^Simulator listening on http://127\.0\.0\.1:\d+ ", out, re.MULTILINE)
    assert (
        "Created tuning job sagetune-demo: Bayesian search, 30 training jobs, 3 at a time, "
        "early stopping Auto"
    ) in out
    progress = [line for line in out.splitlines() if line.startswith("[")]
    assert progress[-1].startswith("[30/30] Completed: ")
    assert "stopped early 0 " not in progress[-1]  # the median rule stopped some jobs
    assert "Best training jobs (top 5 of 30)" in out
    best = re.search(
        r"^Best training job: (sagetune-demo-\d{3}-\w+) \(val_accuracy (0\.\d+)\)$",
        out,
        re.MULTILINE,
    )
    assert best is not None, out
    assert float(best.group(2)) > 0.9  # Bayesian search finds a good network in 30 jobs
    assert out.rstrip().endswith(f"Report: {demo_run.report / 'index.html'}")


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    assert header[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize("name", sorted(EXPECTED_SIZES))
def test_demo_report_charts_are_drawn_images_of_the_expected_size(
    demo_run: DemoRun, name: str
) -> None:
    path = demo_run.report / name
    assert _png_size(path) == EXPECTED_SIZES[name]
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 50  # lines, markers, text: not a blank canvas


def test_demo_report_page_references_every_chart_with_its_size(demo_run: DemoRun) -> None:
    page = (demo_run.report / "index.html").read_text()
    for name, (width, height) in EXPECTED_SIZES.items():
        assert f'<img src="{name}" width="{width}" height="{height}"' in page
    assert "Final metrics only" not in page  # the simulator has per-epoch series
    assert "Completed (MaxNumberOfTrainingJobs)" in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


_CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var seen = [];
  for (var i = 0; i < document.images.length; i++) {
    var img = document.images[i];
    seen.push(img.getAttribute("src") + "=" + (img.complete ? img.naturalWidth : 0) + "x" +
              (img.complete ? img.naturalHeight : 0));
  }
  var out = document.createElement("pre");
  out.id = "image-check";
  out.textContent = "IMAGES[" + seen.join(",") + "]";
  document.body.appendChild(out);
});
</script>
"""


def test_report_page_loads_every_image_in_headless_chromium(
    demo_run: DemoRun, tmp_path: Path
) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing on CI: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    # The report's own page has no script; a copy next to it adds one that lists each
    # image as the browser decoded it.
    page = (demo_run.report / "index.html").read_text()
    check = demo_run.report / "image-check.html"
    check.write_text(page.replace("</body>", _CHECK_SCRIPT + "</body>"))
    try:
        completed = subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                check.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    finally:
        check.unlink()
    found = re.search(r'<pre id="image-check">IMAGES\[(.*?)\]</pre>', completed.stdout)
    assert found is not None, completed.stderr[-2000:]
    loaded = dict(item.split("=") for item in found.group(1).split(","))
    assert loaded == {name: f"{w}x{h}" for name, (w, h) in EXPECTED_SIZES.items()}
