"""The measuring half of scripts/slow-link-bench.sh (run by it, as root).

Polls the client's tmux pane: key-to-screen latency of a probe whose effect
shows on screen, frames per second reaching the client (distinct contents of
the picture's rows), bytes/s on the server's veth, and the time until the
video status line says "full rate" after the shaper is lifted.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time

(sock, keys, ns_s, ns_c, dev_s, dev_c, rate, adapt, mode, recover, tmp, clip) = sys.argv[1:]
keys = int(keys)


def tmux(*args):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True).stdout


def cap():
    return tmux("capture-pane", "-p")


def send(k):
    if tmux("display", "-p", "#{pane_dead}").strip() == "1":
        fail("the client's session ended")
    subprocess.run(["tmux", "-L", sock, "send-keys", k], check=True)


def wait(pred, secs):
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        if pred(cap()):
            return time.monotonic() - t0
        time.sleep(0.003)
    return None


def txbytes():
    out = subprocess.run(["ip", "-n", ns_s, "-s", "link", "show", dev_s],
                         capture_output=True, text=True).stdout.split("\n")
    i = next(i for i, l in enumerate(out) if l.strip().startswith("TX:"))
    return int(out[i + 1].split()[0])


def fail(why):
    sys.exit(why + ":\n" + cap())


def replace_media():
    """Every demo response plays the busy clip: the stored files are
    swapped (the server reads length and bytes from the file)."""
    n = 0
    for media in glob.glob(os.path.join(tmp, "takes-demo-*", "media")):
        for root, _, files in os.walk(media):
            for f in files:
                if f.startswith("."):
                    continue
                dst = os.path.join(root, f)
                shutil.copyfile(clip, dst + ".swap")
                os.replace(dst + ".swap", dst)
                n += 1
    return n


def pos(s):
    """mpv's playback time on its status line ("T=12.345"), or None."""
    for line in reversed(s.splitlines()):
        i = line.find("T=")
        if i >= 0:
            try:
                return float(line[i + 2:].split()[0])
            except (ValueError, IndexError):
                return None
    return None


def seek_seen(base, t0):
    """The shown time moved by a seek, not by playing: it differs from
    where playing alone would have taken it by 2.5 s or more (a seek is
    5 s, a loop wraps at the clip's end)."""
    def pred(s):
        p = pos(s)
        return p is not None and abs(p - base - (time.monotonic() - t0)) >= 2.5
    return pred


if mode == "mpv":
    if wait(lambda s: pos(s) is not None, 60) is None:
        fail("mpv did not draw")
    key_on, key_off = "Right", "Left"
else:
    shown = lambda s: "Help —" in s
    if wait(lambda s: "cleared" in s or "left" in s, 120) is None:
        fail("the queue did not appear")
    if replace_media() == 0:
        fail("no demo media under " + tmp)
    for _ in range(4):
        time.sleep(2)
        send("Enter")
        if wait(lambda s: "▶" in s, 20) is not None:
            break
    else:
        fail("playback did not start")
    key_on, key_off = "?", "Escape"
time.sleep(float(os.environ.get("START_SECS", "4")))


def picture():
    rows = [l for l in tmux("capture-pane", "-p", "-e").splitlines() if "▀" in l or "▄" in l]
    return hashlib.blake2b("\n".join(rows).encode(), digest_size=8).digest() if rows else None


# Frames reaching the client, with no key pressed.
if os.environ.get("DUMP"):
    tmux("pipe-pane", "-o", "cat > " + os.environ["DUMP"])
b0, t0 = txbytes(), time.monotonic()
last, frames, polls = None, 0, 0
while time.monotonic() - t0 < float(os.environ.get("FPS_SECS", "6")):
    h = picture()
    polls += 1
    if h is not None and h != last:
        frames += 1
        last = h
    time.sleep(0.005)
span = time.monotonic() - t0
fps = max(frames - 1, 0) / span
idle_bps = (txbytes() - b0) / span
if os.environ.get("DUMP"):
    tmux("pipe-pane")

def probe(n):
    """n keys, each probed on and off: (latencies in ms, lost, bytes/s)."""
    b0, t0 = txbytes(), time.monotonic()
    lat, lost = [], 0
    # A run stops probing after PROBE_SECS (a link that answers in seconds
    # would take half an hour); the probes count says how many were timed.
    limit = float(os.environ.get("PROBE_SECS", "100"))
    for i in range(n):
        if time.monotonic() - t0 > limit:
            break
        if mode == "mpv":
            # mpv's effect is a jump of the time on its status line.
            a, b = None, None
            base, tk = pos(cap()), time.monotonic()
            if base is not None:
                send(key_on)
                a = wait(seek_seen(base, tk), 15)
            time.sleep(0.2)
            base, tk = pos(cap()), time.monotonic()
            if base is not None:
                send(key_off)
                b = wait(seek_seen(base, tk), 15)
        else:
            send(key_on)
            a = wait(shown, 15)
            send(key_off)
            b = wait(lambda s: not shown(s), 15)
        for x in (a, b):
            if x is None:
                lost += 1
            else:
                lat.append(x * 1000)
        time.sleep(0.2)
    return lat, lost, (txbytes() - b0) / (time.monotonic() - t0)


def status():
    lines = cap().splitlines()
    return next((l.split("││")[0].strip("│ ") for l in lines if "link ~" in l or "video off" in l), "-")


def shape(r, extra=()):
    for ns, dev in ((ns_s, dev_s), (ns_c, dev_c)):
        subprocess.run(["tc", "-n", ns, "qdisc", "change", "dev", dev, "root", "tbf",
                        "rate", r, *extra], check=True)


def report(r, lat, lost, bps, video, rec="-"):
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    print(f"mode={mode} rate={r} adapt={adapt} probes={len(lat)} lost={lost} p50={q(0.5):.0f}ms "
          f"p95={q(0.95):.0f}ms max={lat[-1] if lat else 0:.0f}ms fps={fps:.1f} idle_bytes/s={idle_bps:.0f} "
          f"bytes/s={bps:.0f} recover={rec} polls/s={polls / span:.0f} pane='{video}'", flush=True)


if os.environ.get("DUMP"):
    tmux("pipe-pane", "-o", "cat > " + os.environ["DUMP"] + ".keys")
lat, lost, bps = probe(keys)
if os.environ.get("DUMP"):
    tmux("pipe-pane")
video = status()

# A second link in the same rig start (RATE2, KEYS2): the shaper changes,
# the adapter steps down, then the same probes.
rate2 = os.environ.get("RATE2")
if rate2:
    report(rate, lat, lost, bps, video)
    shape(rate2, ("burst", "16kb", "latency", "300ms"))
    wait(lambda s: "video stills" in s or "video off" in s, float(os.environ.get("SETTLE_SECS", "20")))
    lat, lost, bps = probe(int(os.environ.get("KEYS2", str(keys))))
    rate, video = rate2, status()

rec = "-"
if recover == "1":
    shape("1gbit", ("burst", "1mb", "latency", "50ms"))
    r = wait(lambda s: "full rate" in s, 60)
    rec = f"{r:.1f}s" if r is not None else "none-in-60s"
report(rate, lat, lost, bps, video, rec)
