#!/usr/bin/env bash
# Player benchmark (docs/BENCHMARKS.md, "## Player"): bytes written to a pty
# per second and reconstructed quality, `takes play` half-blocks versus
# `mpv --vo=tct`, same 10 s 30 fps clip, same 160x48 terminal, one run.
# Needs ffmpeg, mpv and util-linux script. Usage: bench-player.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/../../target}
cargo build --release -q -p takes-player --examples
bin=$CARGO_TARGET_DIR/release/examples
bash "$here/scripts/make-fixtures.sh" "$out" bench
clip=$out/bench.mp4
ffmpeg -hide_banner -loglevel error -y -i "$clip" -vf scale=160:96 -f rawvideo -pix_fmt rgb24 "$out/ref.rgb"
pty() { script -qefc "stty cols 160 rows 48; $1" /dev/null </dev/null; }

echo "== mpv --vo=tct"
/usr/bin/time -f "cpu_s=%U+%S wall_s=%e" -o "$out/mpv.time" \
  script -qefc "stty cols 160 rows 48; mpv --no-config --vo=tct --ao=null --really-quiet $clip" /dev/null </dev/null >"$out/mpv.bin"
cat "$out/mpv.time"
"$bin/termreplay" "$out/mpv.bin" "$out/ref.rgb" 160 48 cup-up0

echo "== takes play (half-blocks)"
/usr/bin/time -f "cpu_s=%U+%S wall_s=%e" -o "$out/takes.time" \
  script -qefc "stty cols 160 rows 48; COLORTERM=truecolor $bin/play $clip --output halfblocks --no-audio --stats 2>$out/takes.stats" /dev/null </dev/null >"$out/takes.bin"
cat "$out/takes.time"
cat "$out/takes.stats"
"$bin/termreplay" "$out/takes.bin" "$out/ref.rgb" 160 48 reset

echo "== takes play, one core (taskset -c 0)"
/usr/bin/time -f "cpu_s=%U+%S wall_s=%e" -o "$out/takes1.time" \
  script -qefc "stty cols 160 rows 48; COLORTERM=truecolor taskset -c 0 $bin/play $clip --output halfblocks --no-audio --stats 2>$out/takes1.stats" /dev/null </dev/null >"$out/takes1.bin"
cat "$out/takes1.time"
cat "$out/takes1.stats"
