#!/usr/bin/env python3
"""Generate the demo interview clips for `takes seed demo`.

Reads crates/takes-platform/demo/content.json and, for every completed response,
renders a real WebM clip (VP9 video + Opus speech) whose audio is espeak-ng
speaking the response's `sentences`, one cue per sentence with measured timings.

Writes crates/takes-platform/demo/clips/<clip>.webm and clips/manifest.json.

Python 3.11 stdlib only; needs espeak-ng, ffmpeg and ffprobe on PATH.
Idempotent: each clip carries a hash of its inputs in its WebM tags; a clip whose
hash matches is not re-encoded. Clips no longer referenced are removed.

Usage: python3 scripts/demo/make-clips.py [--force] [--jobs N]
"""
from __future__ import annotations

import argparse
import array
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

SCRIPT_VERSION = 4  # bump to force re-encoding of every clip
REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "crates" / "takes-platform" / "demo"
CONTENT = DEMO / "content.json"
CLIPS = DEMO / "clips"
MANIFEST = CLIPS / "manifest.json"
LIMIT_BYTES = 9_500_000  # fail above 9.5 MB (hard limit for committed data is 10 MB)

FPS = 10
GOP = 30  # keyframe every 3 s so seeking works
CRF = 45
AUDIO_BITRATE = "18k"
LEAD_IN_S = 0.45
TAIL_S = 0.6
MIN_S, MAX_S = 12.0, 25.0  # target answer length (warning only)

# Per-candidate "speaker": espeak-ng voice+variant, words per minute, pitch (0-99),
# pause between sentences (s), background colour. Unknown keys get a derived one.
SPEAKERS: dict[str, tuple[str, int, int, float, str]] = {
    "c01": ("en-gb+f3", 168, 55, 0.45, "0x2f4f6f"),
    "c02": ("en-us+m3", 170, 45, 0.40, "0x5a3e2b"),
    "c03": ("en-gb-x-rp+f2", 165, 62, 0.50, "0x36454f"),
    "c04": ("en-gb-x-gbcwmd+m2", 150, 40, 0.60, "0x4b5320"),
    "c05": ("en-gb-scotland+f4", 165, 55, 0.45, "0x3b3b6d"),
    "c06": ("en-us+m7", 172, 40, 0.40, "0x1f4e4e"),
    "c07": ("en-gb+f4", 160, 66, 0.50, "0x6d3b47"),
    "c08": ("en-029+m3", 160, 45, 0.55, "0x2e3b2e"),
    "c09": ("en-us+f3", 172, 60, 0.40, "0x2b3a55"),
    "c10": ("en-029+m1", 152, 35, 0.55, "0x4a3b5c"),
    "c11": ("en-gb-x-gbclan+m4", 168, 50, 0.45, "0x3d4a3d"),
    "c12": ("en-us+f2", 175, 55, 0.40, "0x214b6b"),
    "c13": ("en-gb+m6", 150, 45, 0.60, "0x5b4a2f"),
    "c14": ("en-us+f4", 172, 50, 0.40, "0x3a2f55"),
    "c15": ("en-us+m1", 160, 40, 0.50, "0x2f5b4a"),
    "c16": ("en-gb-x-rp+f3", 168, 56, 0.45, "0x5c2f3f"),
    "c17": ("en-gb-scotland+f2", 158, 60, 0.55, "0x2f2f4f"),
    "c18": ("en-gb-x-gbcwmd+m3", 165, 46, 0.45, "0x4f3a2a"),
}
FALLBACK_VOICES = ["en-us+m3", "en-gb+f3", "en-gb-scotland+m2", "en-029+f2", "en-gb-x-rp+m4", "en-us+f4"]
FALLBACK_COLOURS = ["0x2f4f6f", "0x4b3b5c", "0x2e4b3b", "0x5a3e2b", "0x36454f", "0x3b3b6d"]

RECORDINGS = {
    # recording: (width, height, audio filter applied to the speech, add noise?)
    "clean": (320, 240, None, False),
    "lowres": (160, 120, None, False),
    "noisy": (320, 240, None, True),
    "quiet": (320, 240, "volume=0.16", False),
}
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
]


def speaker(key: str) -> tuple[str, int, int, float, str]:
    if key in SPEAKERS:
        return SPEAKERS[key]
    h = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return (FALLBACK_VOICES[h % len(FALLBACK_VOICES)], 155 + h % 20, 35 + h % 30, 0.45,
            FALLBACK_COLOURS[(h >> 8) % len(FALLBACK_COLOURS)])


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, **kw)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace") if isinstance(p.stderr, bytes) else p.stderr
        raise RuntimeError(f"command failed ({p.returncode}): {' '.join(cmd[:6])} ...\n{err[-2000:]}")
    return p


def need_tools() -> None:
    missing = [t for t in ("espeak-ng", "ffmpeg", "ffprobe") if shutil.which(t) is None]
    if missing:
        sys.exit(f"missing tools: {', '.join(missing)} (apt-get install -y ffmpeg espeak-ng)")


def drawtext_font() -> str | None:
    """Font for the 'Q2' label, or None if drawtext or the font is unavailable."""
    filters = run(["ffmpeg", "-hide_banner", "-filters"], text=True).stdout
    if " drawtext " not in filters:
        return None
    return next((f for f in FONT_CANDIDATES if os.path.exists(f)), None)


# ---------------------------------------------------------------- audio

def read_wav(path: Path) -> tuple[int, array.array]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2, "espeak-ng should write mono 16-bit"
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return rate, samples


def trim(samples: array.array, rate: int) -> array.array:
    """Cut espeak's leading/trailing silence so cue boundaries sit on the speech."""
    peak = max((abs(s) for s in samples), default=0)
    thr = max(200, peak // 50)
    first = next((i for i, s in enumerate(samples) if abs(s) > thr), None)
    if first is None:
        return samples
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > thr)
    start = max(0, first - int(0.03 * rate))
    end = min(len(samples), last + int(0.08 * rate))
    return samples[start:end]


def synthesise(sentences: list[str], key: str, tmp: Path) -> tuple[Path, list[dict], float]:
    """One WAV per sentence, measured, joined with pauses. Returns (wav, cues, duration)."""
    voice, wpm, pitch, pause, _ = speaker(key)
    rate = None
    out = array.array("h")
    cues = []
    for i, text in enumerate(sentences):
        part = tmp / f"s{i}.wav"
        run(["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(part), text])
        r, samples = read_wav(part)
        if rate is None:
            rate = r
            out.extend([0] * int(LEAD_IN_S * rate))
        elif r != rate:
            raise RuntimeError("espeak-ng sample rate changed between sentences")
        samples = trim(samples, rate)
        if i > 0:
            out.extend([0] * int(pause * rate))
        start = len(out) / rate
        out.extend(samples)
        end = len(out) / rate
        cues.append({"start_s": round(start, 3), "end_s": round(end, 3), "text": text})
    out.extend([0] * int(TAIL_S * rate))
    wav = tmp / "speech.wav"
    if sys.byteorder == "big":
        out.byteswap()
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    return wav, cues, len(out) / rate


# ---------------------------------------------------------------- video

def encode(wav: Path, duration: float, dest: Path, *, recording: str, colour: str, label: str,
           font: str | None, seed: int, tag: str) -> None:
    width, height, afilter, noisy = RECORDINGS[recording]
    fw, fh = width * 4 // 5, height * 8 // 15  # spectrum area
    fw -= fw % 2
    fh -= fh % 2
    inputs = ["-i", str(wav)]
    chains = [f"[0:a]aresample=48000,volume=0.89{',' + afilter if afilter else ''}[sp]"]
    if noisy:
        inputs += ["-f", "lavfi", "-i",
                   f"anoisesrc=color=pink:amplitude=0.06:sample_rate=48000:seed={seed}:duration={duration:.3f}"]
        chains.append("[1:a]highpass=f=80,lowpass=f=6000[nz]")
        chains.append("[sp][nz]amix=inputs=2:duration=first:normalize=0[mx]")
        src = "[mx]"
    else:
        src = "[sp]"
    chains.append(f"{src}asplit=2[aw][ao]")
    chains.append(
        f"[aw]showfreqs=s={fw * 2}x{fh}:mode=bar:rate={FPS}:colors=white:ascale=cbrt:fscale=lin:"
        f"win_size=256:averaging=1,crop={fw}:{fh}:0:0,format=rgba,colorchannelmixer=aa=0.85[fq]")
    chains.append(f"color=c={colour}:s={width}x{height}:r={FPS}:d={duration:.3f}[bg]")
    v = f"[bg][fq]overlay=(W-w)/2:H-h-{height // 10}:shortest=1"
    if font:
        size = max(10, height // 12)
        v += (f",drawtext=fontfile={font}:text='{label}':x={size // 2}:y={size // 2}:"
              f"fontsize={size}:fontcolor=white@0.9")
    chains.append(v + ",format=yuv420p[v]")
    tmp_out = dest.with_suffix(".tmp.webm")
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-nostdin", *inputs,
           "-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[ao]",
           "-c:v", "libvpx-vp9", "-deadline", "good", "-cpu-used", "4", "-b:v", "0", "-crf", str(CRF),
           "-g", str(GOP), "-keyint_min", str(GOP), "-row-mt", "1", "-threads", "2",
           "-c:a", "libopus", "-b:a", AUDIO_BITRATE, "-ac", "1", "-ar", "48000", "-application", "voip",
           "-shortest", "-map_metadata", "-1", "-metadata", f"comment={tag}",
           "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
           "-cues_to_front", "1", "-f", "webm", str(tmp_out)]
    try:
        run(cmd)
        os.replace(tmp_out, dest)
    finally:
        tmp_out.unlink(missing_ok=True)


def probe(path: Path) -> dict:
    p = run(["ffprobe", "-v", "error", "-show_entries",
             "format=duration:format_tags:stream=codec_type,codec_name,width,height",
             "-of", "json", str(path)], text=True)
    return json.loads(p.stdout)


def existing_tag(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        tags = probe(path).get("format", {}).get("tags", {})
    except RuntimeError:
        return None
    return next((v for k, v in tags.items() if k.lower() == "comment"), None)


# ---------------------------------------------------------------- main

def make_clip(job: dict, font: str | None, force: bool) -> dict:
    clip, key = job["clip"], job["candidate"]
    dest = CLIPS / f"{clip}.webm"
    with tempfile.TemporaryDirectory(prefix=f"takes-demo-{clip}-") as td:
        wav, cues, duration = synthesise(job["sentences"], key, Path(td))
        colour = speaker(key)[4]
        label = f"Q{job['question'] + 1}"
        h = hashlib.sha256()
        h.update(json.dumps([SCRIPT_VERSION, job["recording"], colour, label, bool(font), CRF,
                             AUDIO_BITRATE, FPS, GOP]).encode())
        h.update(wav.read_bytes())
        tag = "takes-demo:" + h.hexdigest()[:32]
        reused = not force and existing_tag(dest) == tag
        if not reused:
            encode(wav, duration, dest, recording=job["recording"], colour=colour, label=label,
                   font=font, seed=int(h.hexdigest()[:6], 16), tag=tag)
    info = probe(dest)
    streams = info["streams"]
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    if not (len(video) == 1 and video[0]["codec_name"] == "vp9"
            and len(audio) == 1 and audio[0]["codec_name"] == "opus"):
        raise RuntimeError(f"{clip}: unexpected streams {streams}")
    final = float(info["format"]["duration"])
    if abs(final - duration) > 0.25:
        raise RuntimeError(f"{clip}: duration {final:.2f}s differs from audio {duration:.2f}s")
    if cues[-1]["end_s"] > final:
        raise RuntimeError(f"{clip}: last cue ends after the clip")
    return {"id": clip, "file": dest.name, "content_type": "video/webm",
            "duration_s": round(final, 3), "width": video[0]["width"], "height": video[0]["height"],
            "bytes": dest.stat().st_size, "cues": cues, "_reused": reused}


def load_jobs() -> list[dict]:
    content = json.loads(CONTENT.read_text(encoding="utf-8"))
    roles = {r["key"]: r for r in content["roles"]}
    jobs, seen = [], set()
    for c in content["candidates"]:
        role = roles[c["role"]]
        nq = len(role["question_set"]["questions"])
        retakes = role["question_set"]["retakes_allowed"]
        if c["status"] == "completed":
            qs = sorted(r["question"] for r in c["responses"])
            if qs != list(range(nq)):
                raise SystemExit(f"{c['key']}: completed but responses cover questions {qs}, expected 0..{nq - 1}")
        elif c["responses"]:
            raise SystemExit(f"{c['key']}: status {c['status']} must not have responses")
        for r in c["responses"]:
            if r["quality"] not in ("strong", "acceptable", "weak"):
                raise SystemExit(f"{r['clip']}: bad quality {r['quality']}")
            if r["recording"] not in RECORDINGS:
                raise SystemExit(f"{r['clip']}: bad recording {r['recording']}")
            if not 0 <= r["retakes_used"] <= retakes:
                raise SystemExit(f"{r['clip']}: retakes_used {r['retakes_used']} > {retakes}")
            if r["clip"] in seen:
                raise SystemExit(f"duplicate clip id {r['clip']}")
            seen.add(r["clip"])
            jobs.append({"clip": r["clip"], "candidate": c["key"], "question": r["question"],
                         "recording": r["recording"], "sentences": r["sentences"]})
    return jobs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--force", action="store_true", help="re-encode every clip")
    ap.add_argument("--jobs", type=int, default=2, help="parallel encodes (default 2)")
    args = ap.parse_args()
    need_tools()
    jobs = load_jobs()
    CLIPS.mkdir(parents=True, exist_ok=True)
    font = drawtext_font()
    if font is None:
        print("note: drawtext or DejaVu font unavailable; clips get no 'Qn' label", file=sys.stderr)

    results: dict[str, dict] = {}
    failed = False
    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(make_clip, j, font, args.force): j["clip"] for j in jobs}
        for fut in cf.as_completed(futs):
            clip = futs[fut]
            try:
                res = fut.result()
            except Exception as e:  # noqa: BLE001 - report every failure, then exit 1
                print(f"FAIL {clip}: {e}", file=sys.stderr)
                failed = True
                continue
            results[clip] = res
            d = res["duration_s"]
            warn = "" if MIN_S <= d <= MAX_S else f"  (outside {MIN_S:.0f}-{MAX_S:.0f}s)"
            print(f"{'kept' if res['_reused'] else 'made'} {clip}.webm {d:6.2f}s "
                  f"{res['width']}x{res['height']} {res['bytes'] / 1024:6.1f} KiB{warn}", flush=True)
    if failed:
        return 1

    wanted = {f"{j['clip']}.webm" for j in jobs}
    for f in CLIPS.glob("*.webm"):
        if f.name not in wanted:
            print(f"removing stale {f.name}")
            f.unlink()

    clips = []
    for j in jobs:
        r = dict(results[j["clip"]])
        r.pop("_reused")
        clips.append(r)
    manifest = {"generated_by": "python3 scripts/demo/make-clips.py", "clips": clips}
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    total = sum(c["bytes"] for c in clips) + MANIFEST.stat().st_size
    print(f"{len(clips)} clips, {sum(c['duration_s'] for c in clips) / 60:.1f} min of speech, "
          f"total {total:,} bytes ({total / 1e6:.2f} MB) in {CLIPS.relative_to(REPO)}")
    if total > LIMIT_BYTES:
        print(f"ERROR: total exceeds {LIMIT_BYTES / 1e6:.1f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
