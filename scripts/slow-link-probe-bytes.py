"""Bytes the `?` probe costs on the wire (issue 14): the real binary in a
local tmux (160x48, no network), the busy clip paused in the review screen,
the video level pinned with TAKES_VIDEO_LEVEL; what reaches the terminal is
taken with `tmux pipe-pane` around opening and closing the help overlay.

Usage: python3 scripts/slow-link-probe-bytes.py BINARY LEVEL CLIP
  LEVEL: full, lowrate, lowres, stills or off (a binary that does not know
  TAKES_VIDEO_LEVEL runs at its own level).
"""
import glob, os, shutil, subprocess, sys, tempfile, time
binary, level, clip = sys.argv[1], sys.argv[2], sys.argv[3]
sock = "i14m%d" % os.getpid()
d = tempfile.mkdtemp(prefix="i14m")
for x in ("home", "tmp"):
    os.makedirs(os.path.join(d, x))
dump = os.path.join(d, "dump")
env = f"HOME={d}/home TMPDIR={d}/tmp XDG_CONFIG_HOME={d}/home/.config XDG_DATA_HOME={d}/home/.data TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 TAKES_VIDEO_LEVEL={level}"
def tmux(*a): return subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True).stdout
def cap(): return tmux("capture-pane", "-p")
def wait(p, s):
    t = time.monotonic()
    while time.monotonic() - t < s:
        if p(cap()): return True
        time.sleep(0.01)
    return False
try:
    tmux("new-session", "-d", "-x", "160", "-y", "48", f"env {env} {binary} demo")
    assert wait(lambda s: "cleared" in s or "left" in s, 120), cap()
    for m in glob.glob(os.path.join(d, "tmp", "takes-demo-*", "media")):
        for root, _, files in os.walk(m):
            for f in files:
                if not f.startswith("."): shutil.copyfile(clip, os.path.join(root, f))
    tmux("send-keys", "Enter")
    assert wait(lambda s: "▶" in s, 30), cap()
    time.sleep(3)
    tmux("send-keys", "Space")
    time.sleep(2)
    tmux("pipe-pane", "-o", f"cat > {dump}")
    time.sleep(1)
    opens, closes = [], []
    for i in range(5):
        b0 = os.path.getsize(dump)
        tmux("send-keys", "?")
        assert wait(lambda s: "Help —" in s, 10)
        time.sleep(0.7)
        b1 = os.path.getsize(dump)
        tmux("send-keys", "Escape")
        assert wait(lambda s: "Help —" not in s, 10)
        time.sleep(0.7)
        b2 = os.path.getsize(dump)
        opens.append(b1 - b0); closes.append(b2 - b1)
    print(f"{os.path.basename(binary)} level={level} open={opens} close={closes}")
    print("\n".join(l for l in cap().splitlines() if "video" in l or "link" in l)[:300])
finally:
    tmux("kill-server")
    shutil.rmtree(d, ignore_errors=True)
