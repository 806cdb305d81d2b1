#!/usr/bin/env bash
# Key-to-screen latency of `takes` over SSH on a shaped link (issue 14).
#
# Two network namespaces joined by a veth pair, `tc tbf` on both ends,
# Debian's sshd in one, and in the other a tmux client (160x48) running
# `ssh` to it, where `takes demo` plays a response in the review screen. The
# probe is the `?` overlay appearing and going away, timed at the client's
# tmux. Needs root. Usage:
#   sudo scripts/slow-link-bench.sh [RATE=2mbit] [KEYS=60] [ADAPT=1|0]
# Prints one line: rate, adapt, keys, p50/p95/max ms, bytes/s to the client.
set -euo pipefail
RATE=${RATE:-2mbit}
KEYS=${KEYS:-60}
ADAPT=${ADAPT:-1}
BIN=${BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/debug/takes}
[ "$(id -u)" = 0 ] || { echo "skip: needs root for network namespaces"; exit 0; }
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server >/dev/null
D=$(mktemp -d /tmp/takes-slowlink.XXXXXX)
S=tks$$ C=tkc$$ SOCK=tkbench$$
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -f "$D/sshd.pid" ] && kill "$(cat "$D/sshd.pid")" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$S"; ip netns add "$C"
ip link add tk-s$$ type veth peer name tk-c$$
ip link set tk-s$$ netns "$S"; ip link set tk-c$$ netns "$C"
ip -n "$S" addr add 10.99.0.2/24 dev tk-s$$; ip -n "$C" addr add 10.99.0.1/24 dev tk-c$$
for ns in "$S" "$C"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set tk-s$$ up; ip -n "$C" link set tk-c$$ up
tc -n "$S" qdisc add dev tk-s$$ root tbf rate "$RATE" burst 16kb latency 300ms
tc -n "$C" qdisc add dev tk-c$$ root tbf rate "$RATE" burst 16kb latency 300ms
ssh-keygen -q -t ed25519 -N '' -f "$D/host"; ssh-keygen -q -t ed25519 -N '' -f "$D/client"
cp "$D/client.pub" "$D/authorized_keys"; mkdir -p /run/sshd "$D/home"
cat > "$D/sshd_config" <<CONF
ListenAddress 10.99.0.2
HostKey $D/host
PidFile $D/sshd.pid
PermitRootLogin yes
AuthorizedKeysFile $D/authorized_keys
StrictModes no
UsePAM no
CONF
ip netns exec "$S" /usr/sbin/sshd -f "$D/sshd_config"
REMOTE="HOME=$D/home XDG_CONFIG_HOME=$D/home/.config XDG_DATA_HOME=$D/home/.data TAKES_VIDEO_ADAPT=$ADAPT TERM=xterm-256color COLORTERM=truecolor $BIN demo"
ip netns exec "$C" tmux -L "$SOCK" new-session -d -x 160 -y 48 \
  "ssh -tt -i $D/client -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@10.99.0.2 '$REMOTE'"
python3 - "$SOCK" "$KEYS" "$S" "tk-s$$" "$RATE" "$ADAPT" <<'PY'
import subprocess, sys, time
sock, keys, ns, dev, rate, adapt = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def cap():
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True).stdout
def send(k):
    subprocess.run(["tmux", "-L", sock, "send-keys", k], check=True)
def wait(pred, secs):
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        s = cap()
        if pred(s):
            return time.monotonic() - t0
        time.sleep(0.003)
    return None
def txbytes():
    out = subprocess.run(["ip", "-n", ns, "-s", "link", "show", dev], capture_output=True, text=True).stdout.split("\n")
    i = next(i for i, l in enumerate(out) if l.strip().startswith("TX:"))
    return int(out[i + 1].split()[0])
if wait(lambda s: "cleared" in s or "left" in s, 90) is None:
    sys.exit("the queue did not appear:\n" + cap())
for _ in range(4):
    time.sleep(2)
    send("Enter")
    if wait(lambda s: "▶" in s, 20) is not None:
        break
else:
    sys.exit("playback did not start:\n" + cap())
time.sleep(3)
b0, t0 = txbytes(), time.monotonic()
lat, lost = [], 0
for i in range(keys):
    send("?")
    a = wait(lambda s: "Help —" in s, 15)
    send("Escape")
    b = wait(lambda s: "Help —" not in s, 15)
    for x in (a, b):
        if x is None:
            lost += 1
        else:
            lat.append(x * 1000)
    time.sleep(0.2)
bps = (txbytes() - b0) / (time.monotonic() - t0)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
line = cap().splitlines()
video = next((l.split("││")[0].strip("│ ") for l in line if "link ~" in l or "video off" in l), "-")
print(f"rate={rate} adapt={adapt} probes={len(lat)} lost={lost} p50={q(0.5):.0f}ms p95={q(0.95):.0f}ms max={lat[-1] if lat else 0:.0f}ms bytes/s={bps:.0f} pane='{video}'")
PY
