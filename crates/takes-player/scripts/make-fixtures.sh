#!/usr/bin/env bash
# Generates the player's test and benchmark media with ffmpeg into DIR
# (default: target dir given by the caller). Small, deterministic clips:
#   red.mp4      1 s solid red 160x96 @30 fps, 440 Hz tone, a WebVTT caption track
#   moving.mp4   6 s moving test pattern 160x96 @30 fps with a tone (seek/speed tests)
#   bench.mp4    10 s moving pattern 320x192 @30 fps (the benchmark clip, 5:3 = 160x96 cells)
#   corrupt.mp4  random bytes
set -euo pipefail
dir=${1:?usage: make-fixtures.sh DIR [bench]}
mkdir -p "$dir"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
x264=(-c:v libx264 -preset veryfast -pix_fmt yuv420p -g 15)
if [ ! -s "$dir/captions.vtt" ]; then
  printf 'WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello from the red clip\n' > "$dir/captions.vtt"
fi
[ -s "$dir/red.mp4" ] || ff -f lavfi -i color=c=red:s=160x96:r=30:d=1 \
  -f lavfi -i sine=frequency=440:duration=1 -i "$dir/captions.vtt" \
  -map 0:v -map 1:a -map 2:s "${x264[@]}" -c:a aac -c:s mov_text -shortest "$dir/red.mp4"
[ -s "$dir/moving.mp4" ] || ff -f lavfi -i testsrc2=s=160x96:r=30:d=6 \
  -f lavfi -i sine=frequency=660:duration=6 "${x264[@]}" -c:a aac -shortest "$dir/moving.mp4"
[ -s "$dir/corrupt.mp4" ] || head -c 20000 /dev/urandom > "$dir/corrupt.mp4"
if [ "${2:-}" = bench ] && [ ! -s "$dir/bench.mp4" ]; then
  # A talking-head-like moving scene: a static test card with a moving
  # pattern and a little temporal noise (sensor noise).
  ff -f lavfi -i testsrc2=s=320x192:r=30:d=10 -vf "noise=alls=6:allf=t" \
    -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p "$dir/bench.mp4"
fi
