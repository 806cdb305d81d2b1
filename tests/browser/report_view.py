"""Opens a `takes report --format html` file in Debian's Chromium, on a
desktop and on a phone-sized viewport, saves a full-page screenshot of each,
and reports on the last line of stdout, as JSON, what the page drew.

Usage: report_view.py HTML_FILE OUT_DIR
"""

import json
import os
import sys

from playwright.sync_api import sync_playwright

HTML, OUT = sys.argv[1:3]
os.makedirs(OUT, exist_ok=True)

MEASURE = """() => {
  const rects = [...document.querySelectorAll('svg rect')];
  const drawn = rects.filter(r => { const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
  const svgs = [...document.querySelectorAll('svg')];
  return {
    svgs: svgs.length,
    svgs_drawn: svgs.filter(s => { const b = s.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length,
    rects: rects.length,
    rects_drawn: drawn.length,
    bars_drawn: drawn.filter(r => r.classList.contains('bar')).length,
    scripts: document.querySelectorAll('script').length,
    scroll_width: document.documentElement.scrollWidth,
    tables: document.querySelectorAll('table').length,
    // A table wider than its box scrolls sideways inside the page.
    tables_overflowing: [...document.querySelectorAll('.scroll')]
      .filter(d => d.scrollWidth > d.clientWidth + 1).length,
    // On a phone each number must carry its column's name beside it.
    labelled_cells_shown: [...document.querySelectorAll('td[data-label]')]
      .filter(td => {
        const c = getComputedStyle(td, '::before').content;
        return c !== 'none' && c !== 'normal' && c.includes(td.dataset.label);
      }).length,
    labelled_cells: document.querySelectorAll('td[data-label]').length,
    inner_width: window.innerWidth,
    title: document.title,
  };
}"""

result = {}
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"],
    )
    for name, viewport in [("desktop", {"width": 1280, "height": 900}),
                           ("phone", {"width": 360, "height": 740})]:
        page = browser.new_page(viewport=viewport)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("file://" + os.path.abspath(HTML))
        page.screenshot(path=os.path.join(OUT, f"report-{name}.png"), full_page=True)
        r = page.evaluate(MEASURE)
        r["console_errors"] = errors
        result[name] = r
        page.close()
    browser.close()
print(json.dumps(result))
