"""The `audio-build` console command (also `python -m audio_build`): the Click CLI, then a prompt exit.

When a command has finished, every file it wrote is closed and renamed into place and its worker pools are
shut down; tearing the interpreter down object by object after that only delays the prompt (0.07 s at the
end of every build, a tenth of a 10-article build's fixed cost). So, once every other exit handler has run
(logging's, filelock's, multiprocessing's, thread joins), the process ends with the command's exit status.
An unexpected error still leaves the ordinary way, traceback and all, and so does a run under coverage.py
(it saves its data in an exit handler of its own, registered before this one).
"""

from __future__ import annotations

import atexit
import os
import sys


def run() -> None:
    status: list[int] = []
    atexit.register(_leave, status)  # registered before any library's handler, so it runs after all of them
    from audio_build.cli import main  # after the registration: importing the CLI registers handlers
    try:
        main(prog_name="audio-build")
    except SystemExit as exc:
        status.append(exit_status(exc.code))
        raise


def exit_status(code: object) -> int:
    """The status `sys.exit(code)` gives the process: None is 0, an integer itself, anything else 1."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _leave(status: list[int]) -> None:
    if not status or "coverage" in sys.modules:
        return  # an error's traceback, or a coverage run that writes its data at exit: the usual way out
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or a pipe whose reader has gone
            pass
    os._exit(status[0])


if __name__ == "__main__":
    run()
