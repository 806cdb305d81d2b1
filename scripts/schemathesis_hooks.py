"""schemathesis hooks for scripts/schemathesis.sh (loaded via SCHEMATHESIS_HOOKS).

Candidate answers are uploaded as raw video bytes (whole, or as tus chunks
of `application/offset+octet-stream`), media types schemathesis cannot
serialise by itself: send the generated value as bytes, so the upload
operations are exercised too (the server must refuse non-video with a problem,
never a 5xx).
"""

import schemathesis


@schemathesis.serializer("video/webm", "video/mp4", "application/offset+octet-stream")
def video_bytes(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return str(value).encode()
