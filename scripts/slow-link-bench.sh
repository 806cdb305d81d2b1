#!/usr/bin/env bash
# Key-to-screen latency over SSH on a shaped link (issue 14).
#
# Two network namespaces joined by a veth pair, `tc tbf` on both ends,
# Debian's sshd in one, and in the other a tmux client (160x48) running
# `ssh` (or `mosh`) to it. A busy 30 fps clip (ffmpeg's mandelbrot zoom and
# a tone, generated once into target/slow-link/) plays:
#   MODE=takes  `takes demo`, every demo response's media replaced by the
#               clip; probe: the `?` overlay appearing and going away.
#   MODE=mosh   the same, inside `mosh` (UDP between the namespaces).
#   MODE=mpv    `mpv --vo=tct` on the clip; probe: Right (seek +5 s) until
#               the terminal status line's time jumps, Left (-5 s) likewise.
#               (Pausing is no probe: under --vo=tct mpv does not redraw its
#               status line while paused, so "(Paused)" shows late or never.)
# Needs root. Usage:
#   sudo MODE=takes RATE=2mbit KEYS=50 ADAPT=1 RECOVER=1 scripts/slow-link-bench.sh
# Prints one line: mode, rate, adapt, probes, lost, p50/p95/max ms, fps and
# bytes/s at the client (no keys pressed), bytes/s during the probes, the
# time to full rate after the limit is lifted (RECOVER=1, adaptive takes),
# and the video status line.
set -euo pipefail
MODE=${MODE:-takes}
RATE=${RATE:-2mbit}
KEYS=${KEYS:-60}
ADAPT=${ADAPT:-1}
RECOVER=${RECOVER:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/target/debug/takes}
CLIP_SECS=${CLIP_SECS:-180}
CLIP=${CLIP:-$ROOT/target/slow-link/busy-30fps-${CLIP_SECS}s.webm}
[ "$(id -u)" = 0 ] || { echo "skip: needs root for network namespaces"; exit 0; }
need() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null; }
need sshd openssh-server
[ "$MODE" = mosh ] && need mosh-server mosh
[ "$MODE" = mpv ] && need mpv mpv
if [ ! -s "$CLIP" ]; then
  # Every cell changes every frame: the case that saturates a slow link.
  mkdir -p "$(dirname "$CLIP")"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "mandelbrot=s=320x180:r=30,format=yuv420p" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$CLIP_SECS" -c:v libvpx -deadline realtime \
    -cpu-used 8 -b:v 800k -g 60 -c:a libopus -b:a 32k "$CLIP.$$.part.webm"
  mv "$CLIP.$$.part.webm" "$CLIP"
fi
D=$(mktemp -d /tmp/takes-slowlink.XXXXXX)
S=tks$$ C=tkc$$ SOCK=tkbench$$
cleanup() {
  # The workstation's log (its video level changes), kept for reading.
  find "$D" -name takes.log -exec cp {} "$(dirname "$CLIP")/takes-$MODE-$RATE.log" \; 2>/dev/null || true
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  # sshd, its sessions and mosh-server live only in these namespaces.
  for ns in "$S" "$C"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  done
  sleep 0.3
  for ns in "$S" "$C"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  done
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
cp "$D/client.pub" "$D/authorized_keys"; mkdir -p /run/sshd "$D/home" "$D/tmp"
cat > "$D/sshd_config" <<CONF
ListenAddress 10.99.0.2
HostKey $D/host
PidFile $D/sshd.pid
PermitRootLogin yes
AuthorizedKeysFile $D/authorized_keys
StrictModes no
UsePAM no
AcceptEnv LANG LC_*
CONF
ip netns exec "$S" /usr/sbin/sshd -f "$D/sshd_config"
SSHOPT="-i $D/client -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
ENVS="HOME=$D/home TMPDIR=$D/tmp XDG_CONFIG_HOME=$D/home/.config XDG_DATA_HOME=$D/home/.data TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8"
case "$MODE" in
  takes) CMD="ssh -tt $SSHOPT root@10.99.0.2 '$ENVS TAKES_VIDEO_ADAPT=$ADAPT $BIN demo'" ;;
  mosh) CMD="LANG=C.UTF-8 mosh --ssh='ssh $SSHOPT' root@10.99.0.2 -- env $ENVS TAKES_VIDEO_ADAPT=$ADAPT $BIN demo" ;;
  mpv) CMD="ssh -tt $SSHOPT root@10.99.0.2 '$ENVS mpv --vo=tct --vo-tct-algo=half-blocks --ao=null --loop-file=inf --term-status-msg=\"T=\\\${=time-pos}\" --idle=no $CLIP'" ;;
  *) echo "MODE is takes, mosh or mpv"; exit 2 ;;
esac
ip netns exec "$C" env LANG=C.UTF-8 tmux -L "$SOCK" new-session -d -x 160 -y 48 "$CMD"
# If the client ends, its last screen says why.
tmux -L "$SOCK" set-option -g remain-on-exit on >/dev/null
python3 "$ROOT/scripts/slow-link-probe.py" "$SOCK" "$KEYS" "$S" "$C" "tk-s$$" "tk-c$$" "$RATE" \
  "$ADAPT" "$MODE" "$RECOVER" "$D/tmp" "$CLIP"
