// The candidate's recording page. The access secret lives in the URL
// fragment, which browsers never send to a server, and every API call
// carries it as a bearer token instead.
"use strict";
(function () {
  var T = {};
  var secret = decodeURIComponent(location.hash.replace(/^#/, "")).trim();
  var screen = document.getElementById("screen");
  var stream = null;
  var interview = null;
  // When the team answers (RFC 3339), from the upload that completed the
  // interview: the done step says it with the email's own sentence
  // (`acknowledgement` in the strings), in the candidate's time zone.
  var reviewBy = null;
  // How answers are recorded: sound only (an accommodation the recruiter
  // granted) or a lower resolution for a slow connection.
  var mode = { audioOnly: false, low: false };
  function options() { return (interview && interview.options) || {}; }

  function t(key, vars) {
    var s = T[key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (e) { n.addEventListener(e, attrs.on[e]); });
      else n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function show(step, nodes) {
    var steps = document.getElementById("steps");
    steps.textContent = "";
    (T.steps || []).forEach(function (name, i) {
      var li = el("li", { text: name });
      if (i === step) li.setAttribute("aria-current", "step");
      steps.appendChild(li);
    });
    screen.textContent = "";
    nodes.forEach(function (n) { if (n) screen.appendChild(n); });
    var h = screen.querySelector("h1");
    if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
  }
  function fail(message, retry) {
    show(-1, [el("h1", { text: document.title }),
      el("p", { "class": "error", role: "alert", text: message }),
      retry ? el("button", { text: t("retry"), on: { click: retry } }) : null]);
  }
  function api(method, path) {
    return fetch(path, { method: method, headers: { Authorization: "Bearer " + secret }, cache: "no-store" });
  }
  function problem(res) {
    return res.json().then(function (p) { return p.detail || p.title || String(res.status); },
      function () { return String(res.status); });
  }

  function load() {
    if (!secret) return fail(t("no_secret"));
    api("GET", "/v1/candidate/interview").then(function (res) {
      if (res.status === 401) return fail(t("bad_secret"));
      if (res.status === 410) return res.json().then(closedPage, function () { fail(t("closed")); });
      if (!res.ok) return problem(res).then(function (d) { fail(t("closed") + " " + d); });
      return res.json().then(function (iv) { interview = iv; welcome(); });
    }, function () { fail(t("network"), load); });
  }

  // A link that no longer opens the interview says why, in words, and
  // offers nothing to record.
  function closedPage(p) {
    var kind = String((p && p.type) || "").split("/").pop();
    if (kind === "interview-completed") return fail(t("closed_completed"));
    if (kind === "expired") return fail(t("closed_expired"));
    fail(t("closed") + " " + ((p && p.detail) || ""));
  }

  function deadline() { return when(interview.expires_at); }
  function when(iso) {
    var d = new Date(iso);
    return new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(d);
  }
  function contact() { return interview.support_contact || "the recruiter"; }
  function unanswered() { return interview.questions.filter(function (q) { return !q.answered; }); }

  function welcome() {
    if (!unanswered().length) return done();
    var seconds = interview.questions.reduce(function (a, q) { return a + q.time_limit_s; }, 0);
    var facts = el("dl", {}, [
      el("dt", { text: t("facts_questions") }), el("dd", { text: String(interview.questions.length) }),
      el("dt", { text: t("facts_time") }), el("dd", { text: t("facts_time_value", { minutes: Math.max(1, Math.ceil(seconds / 60)) }) }),
      el("dt", { text: t("facts_deadline") }), el("dd", { text: deadline() }),
      el("dt", { text: t("facts_retakes") }), el("dd", { text: String(interview.retakes_allowed) })
    ]);
    // The page loads nothing from other servers: an intro video hosted
    // elsewhere is a link the candidate may choose to follow.
    var url = interview.intro_video_url, video = null;
    if (url && new URL(url, location.href).origin === location.origin) {
      // Captions are on by default (WCAG 1.2.2), in the role's language.
      var cc = interview.intro_captions;
      var track = cc ? el("track", { kind: "captions", "default": "", src: cc.url, srclang: cc.language, label: t("captions_label") }) : null;
      video = el("figure", {}, [
        el("video", { controls: "", preload: "metadata", src: url, "aria-label": t("intro_video") }, [track]),
        el("figcaption", { text: t("intro_video") })]);
    } else if (url && /^https?:/i.test(url)) {
      video = el("p", {}, [el("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: t("intro_video") })]);
    }
    show(0, [el("h1", { text: t("welcome_title", { name: interview.candidate_name }) }),
      el("p", { text: t("welcome_intro", { role: interview.role.title }) }),
      el("p", { text: t("why_async") }), video, facts,
      el("p", { text: t("next_steps") }),
      el("p", { text: t("support", { contact: contact() }) }),
      resuming() ? el("p", { "class": "ok", text: t("welcome_back") }) : null,
      resuming() ? el("button", { text: t("continue_questions"), on: { click: nextQuestion } })
        : el("button", { text: t("start"), on: { click: consent } })]);
  }

  // Consent was given on this device, or answers are stored already: a
  // returning candidate goes straight to the next unanswered question.
  function consentKey() { return "takes-consent-" + secret.slice(-12); }
  function resuming() {
    var given = false;
    try { given = localStorage.getItem(consentKey()) === "yes"; } catch (e) { given = false; }
    return given || interview.consented || interview.questions.some(function (q) { return q.answered; });
  }

  function consent() {
    var box = el("input", { type: "checkbox", id: "consent" });
    var msg = el("p", { role: "alert" });
    show(1, [el("h1", { text: t("consent_title") }), el("p", { text: t("consent_text") }),
      el("label", { "for": "consent" }, [box, document.createTextNode(" " + t("consent_check"))]), msg,
      el("button", { text: t("consent_agree"), on: { click: function () {
        if (!box.checked) { msg.className = "error"; msg.textContent = t("consent_needed"); box.focus(); return; }
        decide("agreed", msg, function () {
          try { localStorage.setItem(consentKey(), "yes"); } catch (e) { /* private mode */ }
          deviceCheck();
        });
      } } }),
      el("button", { "class": "secondary", text: t("consent_decline"), on: { click: function () {
        decide("declined", msg, function () {
          show(-1, [el("h1", { text: t("declined_title") }), el("p", { text: t("declined_text", { contact: contact() }) })]);
        });
      } } })]);
  }

  // The decision is the server's record, with the version of the text shown.
  function decide(decision, msg, then) {
    fetch("/v1/candidate/consent", { method: "PUT", cache: "no-store",
      headers: { Authorization: "Bearer " + secret, "Content-Type": "application/json" },
      body: JSON.stringify({ decision: decision, text_version: t("consent_version") }) })
      .then(function (res) {
        if (res.ok) return then();
        return problem(res).then(function (d) { msg.className = "error"; msg.textContent = t("consent_failed", { detail: d }); });
      }, function () { msg.className = "error"; msg.textContent = t("consent_failed", { detail: t("network") }); });
  }

  function mediaError(e) {
    var name = e && e.name;
    if (name === "NotAllowedError" || name === "SecurityError") return t("err_denied");
    if (name === "NotFoundError" || name === "OverconstrainedError") return t("err_no_device");
    if (name === "NotReadableError") return t("err_busy");
    return t("err_other", { detail: (e && e.message) || String(e) });
  }
  function mimeType() {
    var types = mode.audioOnly ? ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"]
      : ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4;codecs=avc1,mp4a", "video/mp4"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }
  var recorderOptions = {};
  function restartStream() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
  }
  function withStream(then) {
    if (stream) return then();
    if (!window.MediaRecorder || !navigator.mediaDevices) return fail(t("err_no_recorder"));
    var video = mode.audioOnly ? false : mode.low ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } }
      : { width: { ideal: 1280 }, height: { ideal: 720 } };
    var recOpts = mode.low ? { videoBitsPerSecond: 400000 } : {};
    recorderOptions = recOpts;
    navigator.mediaDevices.getUserMedia({ video: video, audio: true })
      .then(function (s) { stream = s; then(); }, function (e) { fail(mediaError(e), function () { withStream(then); }); });
  }

  // Records from the shared stream until `stop` is called or `limit`
  // seconds pass; calls `onTick(secondsLeft)` and `onDone(blob, type, timedOut)`.
  function record(limit, onTick, onDone) {
    var type = mimeType();
    var opts = {};
    Object.keys(recorderOptions).forEach(function (k) { opts[k] = recorderOptions[k]; });
    if (type) opts.mimeType = type;
    var rec = new MediaRecorder(stream, opts);
    var parts = [], left = limit, timedOut = false;
    rec.ondataavailable = function (e) { if (e.data && e.data.size) parts.push(e.data); };
    rec.onstop = function () {
      clearInterval(timer);
      var mime = (rec.mimeType || type || "video/webm").split(";")[0];
      onDone(new Blob(parts, { type: mime }), mime, timedOut);
    };
    var timer = setInterval(function () {
      left -= 1; onTick(left);
      if (left <= 0 && rec.state === "recording") { timedOut = true; rec.stop(); }
    }, 1000);
    rec.start(1000);
    onTick(left);
    return function () { if (rec.state === "recording") rec.stop(); };
  }

  function deviceCheck() {
    withStream(function () {
      var preview = el("video", { autoplay: "", muted: "", playsinline: "", "aria-label": t("device_title") });
      preview.muted = true; preview.srcObject = stream;
      var meter = el("meter", { id: "level", min: "0", max: "100", value: "0" });
      // The test plays back in the preview's own box (an audio player,
      // present from the start, when sound only), and the status line
      // keeps its room: nothing below moves when the test ends.
      var status = el("p", { "class": "status", "aria-live": "polite" });
      var player = mode.audioOnly ? el("audio", { controls: "", "aria-label": t("device_test_play") }) : preview;
      try {
        var ctx = new (window.AudioContext || window.webkitAudioContext)();
        var an = ctx.createAnalyser(); an.fftSize = 512;
        ctx.createMediaStreamSource(stream).connect(an);
        var buf = new Uint8Array(an.fftSize);
        var iv = setInterval(function () {
          if (!document.body.contains(meter)) { clearInterval(iv); ctx.close(); return; }
          an.getByteTimeDomainData(buf);
          var peak = 0; for (var i = 0; i < buf.length; i++) peak = Math.max(peak, Math.abs(buf[i] - 128));
          meter.value = Math.min(100, Math.round(peak / 1.28));
        }, 150);
      } catch (e) { /* The meter is a help, not a requirement. */ }
      var test = el("button", { "class": "secondary", text: t("device_test"), on: { click: function () {
        test.disabled = true;
        if (player === preview) { preview.controls = false; preview.removeAttribute("src"); preview.muted = true; preview.autoplay = true; preview.srcObject = stream; }
        record(5, function (s) { status.textContent = t("device_test_recording", { seconds: Math.max(0, s) }); },
          function (blob) {
            status.textContent = t("device_test_play");
            if (player.src) URL.revokeObjectURL(player.src);
            player.srcObject = null; player.src = URL.createObjectURL(blob);
            player.controls = true; player.muted = false; player.autoplay = false;
            player.setAttribute("aria-label", t("device_test_play"));
            test.disabled = false;
          });
      } } });
      if (mode.audioOnly) preview.hidden = true;
      show(2, [el("h1", { text: t("device_title") }), el("p", { text: t("device_intro") }), preview,
        el("label", { "for": "level", text: t("device_level") }), meter, test, status, player === preview ? null : player,
        recordingChoices(), speedCheck(),
        el("button", { text: t("device_ok"), on: { click: practice } })]);
    });
  }

  // Sound only where the role or an accommodation allows it; a lower
  // resolution where the role allows it. Changing either restarts the
  // devices.
  function recordingChoices() {
    var box = el("fieldset", {}, [el("legend", { text: t("options_title") })]);
    function choice(id, label, checked, set) {
      var input = el("input", { type: "checkbox", id: id });
      input.checked = checked;
      input.addEventListener("change", function () { set(input.checked); restartStream(); deviceCheck(); });
      box.appendChild(el("div", {}, [input, el("label", { "for": id, text: " " + label })]));
    }
    if (options().audio_only) choice("audio-only", t("option_audio_only"), mode.audioOnly, function (v) { mode.audioOnly = v; });
    if (!mode.audioOnly && options().low_resolution) choice("low-res", t("option_low_res"), mode.low, function (v) { mode.low = v; });
    return box.children.length > 1 ? box : null;
  }

  // A small timed upload to this server: a rough upload speed and plain
  // advice. Nothing of it is kept.
  var SPEED_BYTES = 64 * 1024;
  function speedCheck() {
    var out = el("p", { id: "speed", "aria-live": "polite" });
    var go = el("button", { "class": "secondary", text: t("speed_test") });
    function run() {
      go.disabled = true; out.textContent = t("speed_testing");
      var started = performance.now();
      fetch("/v1/candidate/speed-test", { method: "POST", cache: "no-store",
        headers: { Authorization: "Bearer " + secret, "Content-Type": "application/octet-stream" },
        body: new Uint8Array(SPEED_BYTES) }).then(function (res) {
        go.disabled = false;
        if (!res.ok) { out.textContent = t("speed_failed"); return; }
        var seconds = Math.max(0.001, (performance.now() - started) / 1000);
        var mbit = SPEED_BYTES * 8 / seconds / 1e6;
        var shown = mbit >= 10 ? Math.round(mbit) : Math.round(mbit * 10) / 10;
        out.className = mbit < 1 ? "error" : "ok";
        out.setAttribute("data-mbit", String(mbit));
        out.textContent = t(mbit < 1 ? "speed_slow" : "speed_fine", { mbit: shown });
      }, function () { go.disabled = false; out.className = "error"; out.textContent = t("speed_failed"); });
    }
    go.addEventListener("click", run);
    setTimeout(run, 0);
    return el("div", {}, [go, out]);
  }

  // One question's screen: record, play back, retake, submit.
  // `begin(go)` starts a take and calls `go(retakes left after it)`; for a
  // question the server counts it, so a take recorded and never sent
  // still spends the allowance.
  function answerScreen(step, title, prompt, limit, retakesLeft, begin, submit, after) {
    var status = el("p", { "class": "countdown", "aria-live": "polite" });
    var area = el("div");
    var msg = el("div", { role: "status" });
    var blob = null, mime = "", stop = null;
    var live = el("video", { autoplay: "", muted: "", playsinline: "", "aria-hidden": "true" });
    live.muted = true; live.srcObject = stream;
    if (mode.audioOnly) live.hidden = true;
    var btn = el("button", { text: t("record") });
    var retake = el("button", { "class": "secondary", text: "", hidden: "" });
    var send = el("button", { text: t("submit"), hidden: "" });
    function start() {
      btn.disabled = true; retake.disabled = true;
      begin(msg, function (left, usedUp) {
        btn.disabled = false;
        if (left === null) { if (usedUp) retakesLeft = 0; retake.disabled = retakesLeft <= 0; return; }
        retakesLeft = left; recordTake();
      });
    }
    function recordTake() {
      btn.textContent = t("stop"); btn.hidden = false; retake.hidden = true; send.hidden = true; area.textContent = ""; msg.textContent = "";
      status.className = "countdown recording";
      stop = record(limit, function (s) { status.textContent = t("recording", { seconds: Math.max(0, s) }); },
        function (b, m, timedOut) {
          stop = null; blob = b; mime = m; status.className = "countdown";
          status.textContent = timedOut ? t("time_up") : "";
          btn.hidden = true;
          area.appendChild(el("p", { text: t("playback") }));
          area.appendChild(el("video", { controls: "", src: URL.createObjectURL(b), "aria-label": t("playback") }));
          retake.hidden = false;
          if (retakesLeft > 0) { retake.disabled = false; retake.textContent = t("retake", { left: retakesLeft }); }
          else { retake.disabled = true; retake.textContent = t("no_retakes"); }
          send.hidden = false; send.focus();
        });
    }
    btn.addEventListener("click", function () { if (stop) stop(); else start(); });
    retake.addEventListener("click", function () { if (retakesLeft > 0) start(); });
    // The buttons give way to the upload's progress at the tap itself:
    // hidden when the upload ends, they would pull "Next" up under a
    // finger already on its way.
    send.addEventListener("click", function () {
      send.hidden = true; retake.hidden = true;
      submit(blob, mime, msg, function (ok) {
        if (ok) {
          var next = el("button", { text: after.label, on: { click: after.go } });
          msg.appendChild(next); next.focus();
        } else { send.hidden = false; retake.hidden = false; retake.disabled = retakesLeft <= 0; }
      });
    });
    show(step, [el("h1", { text: title }), el("p", { "class": "prompt", id: "prompt", text: prompt }),
      el("p", { text: t("time_limit", { seconds: limit }) }), live, status, btn, area, retake, send, msg]);
  }

  function practice() {
    // Practice takes stay on the device: counted here, never sent.
    var takes = 0;
    answerScreen(3, t("practice_title"), t("practice_prompt"), 30, 1,
      function (msg, go) { takes += 1; go(Math.max(0, 2 - takes)); },
      function (blob, mime, msg, done) { done(true); },
      { label: t("practice_done"), go: nextQuestion });
  }

  function nextQuestion() {
    var left = unanswered();
    if (!left.length) return done();
    var q = left[0];
    var n = interview.questions.indexOf(q) + 1;
    pending(q, function () { withStream(function () { askQuestion(q, n); }); });
  }

  function askQuestion(q, n) {
    answerScreen(4, t("question_title", { n: n, total: interview.questions.length }), q.prompt, q.time_limit_s,
      q.retakes_left, function (msg, go) { startTake(q, msg, go); },
      function (blob, mime, msg, finish) { upload(q, blob, mime, msg, finish); },
      { label: t("next"), go: nextQuestion });
  }

  // Asks the server for a take; `go(null)` with the reason shown when it
  // refuses (no retakes left, the window closed).
  function startTake(q, msg, go) {
    msg.textContent = "";
    fetch("/v1/candidate/responses/" + encodeURIComponent(q.id) + "/takes", { method: "POST", cache: "no-store",
      headers: { Authorization: "Bearer " + secret } }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) {
          msg.appendChild(el("p", { "class": "error", role: "alert", text: body.detail || String(res.status) }));
          if (res.status === 409) q.retakes_left = 0;
          return go(null, res.status === 409);
        }
        q.retakes_left = body.retakes_left;
        go(body.retakes_left);
      });
    }, function () {
      msg.appendChild(el("p", { "class": "error", role: "alert", text: t("upload_failed", { detail: t("network") }) }));
      go(null);
    });
  }

  // Takes waiting to be uploaded are kept in IndexedDB with the upload's
  // location, so a reload or a closed tab resumes from the last byte the
  // server acknowledged instead of losing the recording.
  var CHUNK = 256 * 1024;
  function db(then) {
    if (!window.indexedDB) return then(null);
    var req = indexedDB.open("takes-candidate", 1);
    req.onupgradeneeded = function () { req.result.createObjectStore("takes"); };
    req.onsuccess = function () { then(req.result); };
    req.onerror = function () { then(null); };
  }
  function keep(q, value) {
    db(function (d) {
      if (!d) return;
      var st = d.transaction("takes", "readwrite").objectStore("takes");
      if (value) st.put(value, secret.slice(-12) + q.id); else st.delete(secret.slice(-12) + q.id);
    });
  }
  function kept(q, then) {
    db(function (d) {
      if (!d) return then(null);
      var req = d.transaction("takes", "readonly").objectStore("takes").get(secret.slice(-12) + q.id);
      req.onsuccess = function () { then(req.result || null); };
      req.onerror = function () { then(null); };
    });
  }
  function tus(method, url, headers, body) {
    headers = headers || {};
    headers.Authorization = "Bearer " + secret;
    headers["Tus-Resumable"] = "1.0.0";
    return fetch(url, { method: method, headers: headers, body: body, cache: "no-store" });
  }

  function upload(q, blob, mime, msg, finish) {
    var bar = el("progress", { max: "100", value: "0", "aria-label": t("upload_progress") });
    var text = el("p", { text: t("uploading", { percent: 0 }) });
    msg.textContent = ""; msg.appendChild(text); msg.appendChild(bar);
    var tries = 0;
    function progress(offset) {
      var p = Math.floor(offset * 100 / blob.size);
      bar.value = p; text.textContent = t("uploading", { percent: p });
    }
    function failed(detail) {
      msg.textContent = "";
      msg.appendChild(el("p", { "class": "error", role: "alert", text: t("upload_failed", { detail: detail }) }));
      finish(false);
    }
    function stored(answer) {
      keep(q, null);
      q.answered = true; q.retakes_left = answer.retakes_left;
      if (answer.review_by) reviewBy = answer.review_by;
      msg.textContent = ""; msg.appendChild(el("p", { "class": "ok", text: t("saved") }));
      finish(true);
    }
    function retry(location) {
      tries += 1;
      if (tries > 6) return failed(t("network"));
      setTimeout(function () { resume(location); }, Math.min(8000, 500 * Math.pow(2, tries)));
    }
    function resume(location) {
      tus("HEAD", location).then(function (res) {
        if (res.status === 404) return reloadState();
        if (!res.ok) return failed(String(res.status));
        send(location, Number(res.headers.get("Upload-Offset")));
      }, function () { retry(location); });
    }
    // The take may have been stored by a PATCH whose answer was lost.
    function reloadState() {
      api("GET", "/v1/candidate/interview").then(function (res) {
        if (res.status === 410) { keep(q, null); return done(); }
        return res.json().then(function (iv) {
          var now = iv.questions.filter(function (x) { return x.id === q.id; })[0];
          if (now && now.answered) return stored(now);
          keep(q, null); failed(t("network"));
        });
      }, function () { failed(t("network")); });
    }
    function send(location, offset) {
      progress(offset);
      tus("PATCH", location, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
        blob.slice(offset, Math.min(blob.size, offset + CHUNK))).then(function (res) {
        if (res.status === 204) { tries = 0; return send(location, Number(res.headers.get("Upload-Offset"))); }
        if (res.status === 201) return res.json().then(stored);
        if (res.status === 409) return res.json().then(function (p) {
          if (p.field === "Upload-Offset") return resume(location);
          if (p.field === "upload_id") return retry(location);
          keep(q, null); failed(p.detail || "409");
        });
        return problem(res).then(function (d) { keep(q, null); failed(d); });
      }, function () { retry(location); });
    }
    function start() {
      tus("POST", "/v1/candidate/responses/" + encodeURIComponent(q.id) + "/uploads",
        { "Upload-Length": String(blob.size) }).then(function (res) {
        if (res.status !== 201) return problem(res).then(failed);
        var location = res.headers.get("Location");
        keep(q, { location: location, blob: blob, mime: mime });
        send(location, 0);
      }, function () {
        tries += 1;
        if (tries > 6) return failed(t("network"));
        setTimeout(start, 1000 * tries);
      });
    }
    if (blob.location) { var loc = blob.location; blob = blob.blob; resume(loc); } else start();
  }

  // A take recorded before a reload: offer to finish sending it.
  function pending(q, then) {
    kept(q, function (saved) {
      if (!saved || !saved.blob) return then();
      var msg = el("div", { role: "status" });
      var go = el("button", { text: t("resume_upload"), on: { click: function () {
        go.disabled = true;
        upload(q, saved, saved.mime, msg, function (ok) {
          if (ok) msg.appendChild(el("button", { text: t("next"), on: { click: nextQuestion } }));
        });
      } } });
      show(4, [el("h1", { text: t("resume_title") }), el("p", { "class": "prompt", text: q.prompt }),
        el("p", { text: t("resume_text") }), go, msg]);
    });
  }

  function done() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    show(5, [el("h1", { text: t("done_title", { name: interview.candidate_name }) }),
      reviewBy ? el("p", { "class": "ok", id: "acknowledgement", "data-review-by": reviewBy,
        text: t("acknowledgement", { role: interview.role.title, date: when(reviewBy) }) })
        : el("p", { "class": "ok", text: t("done_text", { role: interview.role.title }) }),
      el("p", { text: t("done_support", { contact: contact() }) })]);
    if (window.takesSelfId) window.takesSelfId(screen, secret, T);
  }

  fetch("/candidate/assets/en.json").then(function (r) { return r.json(); })
    .then(function (strings) { T = strings; load(); }, function () { load(); });
})();
