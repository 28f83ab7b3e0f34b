"""The real espeak-ng helper, with one real fault: AUDIO_BUILD_TEST_FAULT=crash|hang|empty|garbage:<words>.

The fault happens in the forked synthesis child of a request whose text holds <words> (a segfault, a hang,
no reply, garbage), so the tests prove the isolation and error handling that protect a build from a
misbehaving engine.
"""

from __future__ import annotations

import os
import signal
import time

from audio_build.speech.engines import espeak_host

_real_child = espeak_host._in_child


def _faulty_child(library: espeak_host.Library, request: dict[str, object], write_fd: int) -> None:
    kind, _, words = os.environ.get("AUDIO_BUILD_TEST_FAULT", "").partition(":")
    if kind and words and words in str(request.get("text", "")):
        if kind == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "hang":
            time.sleep(3600)
        elif kind in ("empty", "garbage"):
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(b"" if kind == "empty" else b"\x7f\x00not json at all")
            os._exit(0)
    _real_child(library, request, write_fd)


espeak_host._in_child = _faulty_child
espeak_host.serve()
