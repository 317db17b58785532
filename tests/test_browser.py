"""The explorer and the threshold tuner as a person meets them: a real JupyterLab on 127.0.0.1,
Debian's Chromium driven by Playwright. The widgets render (no "Error displaying widget"), moving a
slider changes the plot and the exported code, and the page logs no console error.

Screenshots go to ``$AIMON_ARTIFACTS`` (default ``tests/browser/artifacts``, not committed).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from browser.lab import CHROMIUM, CHROMIUM_ARGS, Lab, missing

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
ARTIFACTS = Path(os.environ.get("AIMON_ARTIFACTS", HERE / "browser" / "artifacts"))

pytestmark = pytest.mark.skipif(missing() is not None, reason=f"browser test cannot run: {missing()}")

# messages that are not about our page: resources the offline sandbox cannot reach, chromium's own
BENIGN = ("favicon", "net::ERR_", "Failed to load resource")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("lab")
    shutil.copy(HERE / "browser" / "explorer.ipynb", root / "explorer.ipynb")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with Lab(root, pythonpath=str(SRC)) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.console_errors = []
        pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
        pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
        pg.goto(lab.url("explorer.ipynb"))
        pg.wait_for_selector(".jp-Notebook", timeout=60_000)
        # the kernel is connected and idle (the status bar says so) before the cells are run
        pg.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
        pg.get_by_role("menuitem", name="Run", exact=True).click()
        pg.get_by_text("Run All Cells", exact=True).click()
        pg.locator(".jp-OutputArea-output", has_text="BROWSER-TEST-DONE").wait_for(timeout=240_000)
        yield pg
        browser.close()


def _tuner(page):
    return page.locator(".jp-Cell").nth(2).locator(".jp-Cell-outputArea")


def test_widgets_render_without_errors(page):
    page.screenshot(path=str(ARTIFACTS / "notebook.png"))
    assert page.get_by_text("Error displaying widget").count() == 0
    titles = page.locator(".jp-OutputArea .lm-TabBar-tab").all_inner_texts()
    assert titles[:3] == ["Correlation", "Thresholds", "Drift"], titles
    for name in ("Correlation", "Thresholds", "Drift"):
        page.locator(".jp-OutputArea .lm-TabBar-tab", has_text=name).first.click()
        panel = page.locator(".jp-OutputArea .widget-tab-contents .lm-Widget:visible img").first
        panel.wait_for(timeout=120_000)
        page.locator(".jp-Cell").nth(1).screenshot(path=str(ARTIFACTS / f"explorer-{name.lower()}.png"))
    assert page.get_by_text("Error displaying widget").count() == 0


def test_slider_changes_plot_and_exported_code(page):
    tuner = _tuner(page)
    tuner.locator("img").first.wait_for(timeout=60_000)
    before = tuner.locator("img").first.get_attribute("src")
    handle = tuner.locator(".widget-slider", has_text="width").locator(".noUi-handle")
    handle.focus()
    for _ in range(8):
        handle.press("ArrowRight")
    page.wait_for_function("([el, src]) => el.querySelector('img') && el.querySelector('img').src !== src",
                           arg=[tuner.element_handle(), before], timeout=60_000)
    tuner.get_by_role("button", name="export").click()
    code = tuner.locator("pre").first
    code.wait_for(timeout=30_000)
    assert "width=1 " not in code.inner_text() and "width=" in code.inner_text()
    tuner.screenshot(path=str(ARTIFACTS / "tuner.png"))


def test_no_console_errors(page):
    errors = [e for e in page.console_errors if not any(b in e for b in BENIGN)]
    assert not errors, errors
