"""Drives the candidate page in Debian's Chromium with a fake camera and
microphone, through the whole flow, and reports what it saw as JSON on the
last line of stdout.

Usage: candidate_flow.py BASE SECRET MODE OUT_DIR Y4M WAV AXE_JS STRINGS_JSON
MODE: desktop | phone | keyboard | reload | audio (sound only and two
retakes, as accommodations allow) | gone (a link that no longer opens an
interview: only the page it shows is reported) | captions (the welcome
step's intro video and its captions track only)
"""

import json
import re
import os
import sys
import tempfile
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

BASE, SECRET, MODE, OUT, Y4M, WAV, AXE, STRINGS = sys.argv[1:9]
T = json.load(open(STRINGS, encoding="utf-8"))
os.makedirs(OUT, exist_ok=True)
report = {"mode": MODE, "steps": [], "violations": [], "posts": 0, "head_offsets": [], "layout_shifts": []}


def t(key, **kw):
    s = T[key]
    for k, v in kw.items():
        s = s.replace("{" + k + "}", str(v))
    return s


def check(page, step):
    """Screenshot and axe-core: serious or critical violations fail the run;
    layout shifts no input caused are reported by step."""
    shifts = page.evaluate("(() => { const s = window.__shifts || []; window.__shifts = []; return s; })()")
    if shifts:
        report["layout_shifts"].append({"step": step, "shifts": shifts})
    # Whether a shift happens depends on when a video's size arrives; the
    # cause does not: each video must take the room an empty one takes.
    moved = page.evaluate("""(() => Array.from(document.querySelectorAll('main video')).filter(v => !v.hidden).map(v => {
        const empty = document.createElement('video');
        empty.className = v.className;
        v.parentNode.insertBefore(empty, v.nextSibling);
        const sizes = [v.getBoundingClientRect().height, empty.getBoundingClientRect().height].map(Math.round);
        empty.remove();
        return sizes;
    }).filter(([a, b]) => a !== b))()""")
    if moved:
        report["layout_shifts"].append({"step": step, "video_heights_with_and_without_a_picture": moved})
    page.screenshot(path=os.path.join(OUT, f"{len(report['steps']):02d}-{step}.png"), full_page=True)
    page.add_script_tag(path=AXE)
    result = page.evaluate("async () => (await axe.run(document)).violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
    for v in result:
        if v["impact"] in ("serious", "critical"):
            report["violations"].append({"step": step, **v})
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        report["violations"].append({"step": step, "id": "horizontal-scroll", "impact": "serious", "nodes": width})
    report["steps"].append(step)


def press(page, name, key="Enter"):
    """Activates a control by name: clicked, or in keyboard mode reached
    with Tab alone and operated with a key."""
    if MODE != "keyboard":
        page.get_by_role("button", name=name, exact=True).click()
        return
    for i in range(80):
        if i:
            page.keyboard.press("Tab")
        focused = page.evaluate("(() => { const e = document.activeElement; return e ? (e.innerText || e.getAttribute('aria-label') || '').trim() : ''; })()")
        if focused == name:
            visible = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            if visible == "none":
                report["violations"].append({"step": name, "id": "focus-not-visible", "impact": "serious", "nodes": 1})
            page.keyboard.press(key)
            return
    raise RuntimeError(f"{name!r} is not reachable with Tab")


def tick(page, label):
    if MODE != "keyboard":
        page.get_by_label(label).check()
        return
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.type === 'checkbox'"):
            page.keyboard.press("Space")
            return
    raise RuntimeError("the consent checkbox is not reachable with Tab")


def record(page, seconds=2.5):
    press(page, t("record"))
    page.wait_for_timeout(int(seconds * 1000))
    press(page, t("stop"))
    page.get_by_role("button", name=t("submit")).wait_for()


def main():
    phone = MODE == "phone"
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path="/usr/bin/chromium",
            headless=True,
            bypass_csp=True,  # only so the test can inject axe-core
            viewport={"width": 360, "height": 740} if phone else {"width": 1280, "height": 900},
            # A candidate far from the server's UTC: the done step must say
            # the review-by date in this zone.
            timezone_id="Asia/Kolkata",
            locale="en-US",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={Y4M}", f"--use-file-for-fake-audio-capture={WAV}"],
        )
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        # Layout shifts no input caused move a control while the candidate
        # is about to tap it (a tap then lands on something else).
        page.add_init_script("""
            window.__shifts = [];
            new PerformanceObserver(function (list) {
              list.getEntries().forEach(function (e) {
                // Sources without a node are the browser's own media
                // controls laying out inside their player.
                if (e.hadRecentInput || (e.sources || []).every(function (s) { return !s.node; })) return;
                window.__shifts.push({value: e.value, sources: (e.sources || []).map(function (s) {
                  var n = s.node;
                  var name = n ? (n.nodeName + (n.id ? '#' + n.id : '') + (n.className ? '.' + n.className : '')
                    + ' "' + (n.textContent || '').trim().slice(0, 30) + '"') : '?';
                  return name + ' ' + Math.round(s.previousRect.y) + '->' + Math.round(s.currentRect.y); })});
              });
            }).observe({type: 'layout-shift', buffered: true});
        """)
        foreign = []
        page.on("request", lambda r: None if r.url.startswith(BASE) or r.url.startswith("blob:") or r.url.startswith("data:") else foreign.append(r.url))
        def seen(resp):
            if resp.request.method == "POST" and resp.url.endswith("/uploads"):
                report["posts"] += 1
            if resp.request.method == "HEAD":
                report["head_offsets"].append(int(resp.headers.get("upload-offset", "-1")))
        page.on("response", seen)
        # What the page asked the server and when, printed on a failure: a
        # control that did nothing is told apart from a request that hung.
        t0 = time.time()
        calls = []
        page.on("request", lambda r: calls.append(f"{time.time() - t0:7.2f}s -> {r.method} {r.url.replace(BASE, '')[:90]}"))
        page.on("response", lambda r: calls.append(f"{time.time() - t0:7.2f}s <- {r.request.method} {r.url.replace(BASE, '')[:90]} {r.status}"))
        page.on("requestfailed", lambda r: calls.append(f"{time.time() - t0:7.2f}s !! {r.method} {r.url.replace(BASE, '')[:90]} {r.failure}"))
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        try:
            if MODE == "gone":
                gone(page)
            elif MODE == "captions":
                captions(page)
            else:
                flow(page)
        except Exception:
            page.screenshot(path=os.path.join(OUT, "failure.png"), full_page=True)
            sys.stderr.write("PAGE TEXT:\n" + page.locator("body").inner_text() + "\nPAGE ERRORS: " + repr(errors) + "\nREQUESTS:\n" + "\n".join(calls[-60:]) + "\n")
            raise
        report["foreign_requests"] = foreign
        report["page_errors"] = errors
        ctx.close()
    print(json.dumps(report))


def gone(page):
    """A closed or unknown link: what the page says and offers."""
    page.goto(f"{BASE}/candidate#{SECRET}")
    page.get_by_role("alert").wait_for()
    check(page, "gone")
    report["alert"] = page.get_by_role("alert").inner_text()
    report["buttons"] = [b.inner_text() for b in page.get_by_role("button").all()]
    report["media_elements"] = page.evaluate("document.querySelectorAll('video, audio').length")


def captions(page):
    """The intro video on the welcome step: its captions track, and the
    cues the browser loaded from it."""
    page.goto(f"{BASE}/candidate#{SECRET}")
    page.get_by_role("heading", level=1).filter(has_text="Hello").wait_for()
    page.locator("main video track").wait_for(state="attached")
    report["track"] = page.evaluate("""(() => { const t = document.querySelector('main video track');
        return {kind: t.kind, default: t.default, srclang: t.srclang, label: t.label, src: t.getAttribute('src')}; })()""")
    try:
        page.wait_for_function("""(() => { const v = document.querySelector('main video');
            return v.textTracks.length > 0 && v.textTracks[0].cues && v.textTracks[0].cues.length > 0; })()""", timeout=20_000)
    except PlaywrightTimeout:
        pass  # the assertion in candidate_browser.rs reports it
    report["cues"] = page.evaluate("""(() => { const t = document.querySelector('main video').textTracks[0];
        return t && t.cues ? Array.from(t.cues).map(c => c.text) : null; })()""")
    report["track_mode"] = page.evaluate("document.querySelector('main video').textTracks[0].mode")
    check(page, "welcome-captions")


def flow(page):
        page.goto(f"{BASE}/candidate#{SECRET}")
        page.get_by_role("heading", level=1).filter(has_text="Hello").wait_for()
        check(page, "welcome")
        press(page, t("start"))
        page.get_by_role("heading", name=t("consent_title")).wait_for()
        check(page, "consent")
        tick(page, t("consent_check"))
        press(page, t("consent_agree"))
        page.get_by_role("heading", name=t("device_title")).wait_for()
        page.locator("#speed[data-mbit]").wait_for(timeout=30_000)
        report["upload_mbit"] = float(page.locator("#speed").get_attribute("data-mbit"))
        if MODE == "audio":
            tick(page, t("option_audio_only"))
            page.locator("#audio-only:checked").wait_for()
            # Ticking restarts the devices and redraws the step; the old
            # step's box is already checked, so wait for the new preview.
            try:
                page.wait_for_function("document.querySelector('main video') && document.querySelector('main video').hidden", timeout=15_000)
            except PlaywrightTimeout:
                pass  # the assertion in candidate_browser.rs reports it
            report["camera_preview_hidden"] = page.evaluate("document.querySelector('main video').hidden")
            # The redraw follows the tick once the devices restart: a move
            # the candidate caused, however long the devices took.
            page.evaluate("window.__shifts = []")
        press(page, t("device_test"))
        page.get_by_text(t("device_test_play")).first.wait_for(timeout=20_000)
        level = page.evaluate("document.getElementById('level').value")
        report["mic_level"] = level
        check(page, "device-check")
        press(page, t("device_ok"))
        page.get_by_role("heading", name=t("practice_title")).wait_for()
        record(page)
        check(page, "practice")
        press(page, t("submit"))
        press(page, t("practice_done"))

        total = None
        n = 1
        while True:
            heading = page.get_by_role("heading", level=1).filter(has_text=re.compile(r"^(Question \d+ of \d+|Thank you)"))
            heading.wait_for()
            text = heading.inner_text()
            if text.startswith(t("done_title", name="").strip().rstrip(",")):
                break
            if total is None:
                total = int(text.rsplit(" ", 1)[1])
            # The reload run needs a take of several upload chunks.
            record(page, 12 if MODE == "reload" and n == 1 else 2.5)
            if n == 1 and MODE != "reload":
                # Retakes, with the count shown: one by default, two with
                # the extra retake an accommodation granted.
                allowed = 2 if MODE == "audio" else 1
                for left in range(allowed, 0, -1):
                    press(page, t("retake", left=left))
                    page.get_by_role("button", name=t("stop")).wait_for()
                    page.wait_for_timeout(2500)
                    press(page, t("stop"))
                    page.get_by_role("button", name=t("submit")).wait_for()
                report["retakes_done"] = allowed
                report["retake_button_after"] = page.locator("button.secondary").last.inner_text()
            check(page, f"question-{n}")
            if MODE == "reload" and n == 1:
                # The connection is lost after the first acknowledged chunk.
                state = {"patches": 0}
                def cut(route):
                    state["patches"] += 1
                    if state["patches"] == 1:
                        route.continue_()
                    else:
                        route.abort()
                page.route("**/uploads/*", lambda route: cut(route) if route.request.method == "PATCH" else route.continue_())
                press(page, t("submit"))
                deadline = time.time() + 30
                while state["patches"] < 2 and time.time() < deadline:
                    page.wait_for_timeout(100)
                if state["patches"] < 2:
                    raise RuntimeError("the take went up in one PATCH; nothing to cut")
                page.unroute("**/uploads/*")
                page.reload()
                page.get_by_role("button", name=t("continue_questions")).wait_for()
                check(page, "welcome-back")
                press(page, t("continue_questions"))
                page.get_by_role("heading", name=t("resume_title")).wait_for()
                check(page, "resume-upload")
                press(page, t("resume_upload"))
            else:
                press(page, t("submit"))
            page.get_by_text(t("saved")).wait_for(timeout=120_000)
            press(page, t("next"))
            n += 1
        check(page, "done")
        report["done_text"] = page.locator("main").inner_text()
        ack = page.locator("#acknowledgement")
        report["ack_text"] = ack.inner_text()
        report["ack_review_by"] = ack.get_attribute("data-review-by")
        if "self_id" in T:  # the optional self-identification form (issue 15)
            S = T["self_id"]
            if MODE == "keyboard":
                for _ in range(80):
                    if page.evaluate("document.activeElement && document.activeElement.type === 'radio'"):
                        break
                    page.keyboard.press("Tab")
                page.keyboard.press("Space")  # the first answer of the first question
            else:
                page.get_by_label(S["categories"]["gender"]["answers"]["woman"], exact=True).check()
            press(page, S["send"])
            page.get_by_text(S["sent"]).wait_for()
            check(page, "self-identified")
            report["self_id_sent"] = True
        report["questions"] = total


if __name__ == "__main__":
    main()
