#!/usr/bin/env python3
"""Transcribes a 16 kHz mono 16-bit WAV with PyPI's pocketsphinx (its bundled
US English model) and prints JSON segments: [{"start_s", "end_s", "text"}].

Used by the takes platform's default transcription engine. Words are grouped
into segments at pauses, so cues read like phrases rather than single words.
"""

import json
import sys
import wave

# A pause this long (seconds) between words starts a new segment.
GAP_S = 0.6
# A segment is closed after this many seconds even without a pause.
MAX_SEGMENT_S = 8.0
FRAME_RATE = 100  # pocketsphinx reports word timings in 10 ms frames


def main():
    if len(sys.argv) != 2:
        print("usage: transcribe_pocketsphinx.py INPUT.wav", file=sys.stderr)
        return 2
    try:
        from pocketsphinx import Decoder
    except ImportError:
        print(
            "the Python package pocketsphinx is not installed: run "
            "`python3 -m pip install pocketsphinx` (or `cargo xtask setup`)",
            file=sys.stderr,
        )
        return 3
    with wave.open(sys.argv[1], "rb") as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            print("input must be 16 kHz mono 16-bit PCM WAV", file=sys.stderr)
            return 2
        audio = w.readframes(w.getnframes())
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(audio, full_utt=True)
    decoder.end_utt()
    words = []
    for seg in decoder.seg():
        word = seg.word
        if word.startswith("<") or word.startswith("[") or word in ("<sil>",):
            continue
        word = word.split("(")[0]  # alternative pronunciations: "the(2)"
        words.append((seg.start_frame / FRAME_RATE, (seg.end_frame + 1) / FRAME_RATE, word))
    segments = []
    for start, end, word in words:
        last = segments[-1] if segments else None
        if last and start - last["end_s"] < GAP_S and end - last["start_s"] < MAX_SEGMENT_S:
            last["end_s"] = end
            last["text"] += " " + word
        else:
            segments.append({"start_s": start, "end_s": end, "text": word})
    json.dump(segments, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
