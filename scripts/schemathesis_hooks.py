"""schemathesis hooks for scripts/schemathesis.sh (loaded via SCHEMATHESIS_HOOKS).

Candidate answers are uploaded as raw video bytes, a media type schemathesis
cannot serialise by itself: send the generated value as bytes, so the upload
operation is exercised too (the server must refuse non-video with a problem,
never a 5xx).
"""

import schemathesis


@schemathesis.serializer("video/webm", "video/mp4")
def video_bytes(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return str(value).encode()
