"""A lean helper process that owns libespeak-ng (run as `python -P path/to/espeak_host.py`, outside the package).

Why a separate process, and why fork per clip:
- a crash or hang inside the C library kills one clip's child, never the build;
- espeak-ng keeps synthesis state between calls (pitch flutter, phase), so the same sentence comes
  out different depending on what was said before. Each clip is synthesized in a child forked from a
  host that never synthesizes itself, so every clip starts from the same pristine state and the same
  input gives the same samples, in any order, on any worker.

Protocol (binary, on stdin/stdout): a request is one JSON line; a reply is one JSON line, followed for
successful syntheses by `samples * 2` bytes of little-endian 16-bit PCM.
This module imports only the standard library and espeakng_loader, so forking it is cheap.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import sys
import time
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_short,
    c_size_t,
    c_ubyte,
    c_uint,
    c_void_p,
)

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
CHARS_UTF8 = 0x1
PHONEMES = 0x100
POS_CHARACTER = 1
PARAM_RATE = 1
EVENT_WORD, EVENT_SENTENCE, EVENT_END, EVENT_MSG_TERMINATED = 1, 2, 5, 6


class _Event(Structure):
    _fields_ = [("type", c_int), ("unique_identifier", c_uint), ("text_position", c_int), ("length", c_int),
                ("audio_position", c_int), ("sample", c_int), ("user_data", c_void_p), ("id", c_void_p)]


class _Voice(Structure):
    _fields_ = [("name", c_char_p), ("languages", c_void_p), ("identifier", c_char_p), ("gender", c_ubyte),
                ("age", c_ubyte), ("variant", c_ubyte), ("xx1", c_ubyte), ("score", c_int), ("spare", c_void_p)]


_Callback = CFUNCTYPE(c_int, POINTER(c_short), c_int, POINTER(_Event))


class Library:
    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.data_path = espeakng_loader.get_data_path()
        lib = self.lib
        lib.espeak_Initialize.argtypes = [c_int, c_int, c_char_p, c_int]
        lib.espeak_Initialize.restype = c_int
        lib.espeak_Synth.argtypes = [c_char_p, c_size_t, c_uint, c_int, c_uint, c_uint, c_void_p, c_void_p]
        lib.espeak_Synth.restype = c_int
        lib.espeak_SetVoiceByName.argtypes = [c_char_p]
        lib.espeak_SetVoiceByName.restype = c_int
        lib.espeak_SetParameter.argtypes = [c_int, c_int, c_int]
        lib.espeak_ListVoices.argtypes = [c_void_p]
        lib.espeak_ListVoices.restype = POINTER(POINTER(_Voice))
        lib.espeak_TextToPhonemes.argtypes = [POINTER(c_void_p), c_int, c_int]
        lib.espeak_TextToPhonemes.restype = c_char_p
        lib.espeak_Info.argtypes = [POINTER(c_char_p)]
        lib.espeak_Info.restype = c_char_p
        self.sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, self.data_path.encode(),
                                                 INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            raise RuntimeError(f"espeak-ng failed to initialize with data at {self.data_path}")
        self.samples: list[bytes] = []
        self.events: list[list[int]] = []
        self._callback = _Callback(self._collect)  # keep a reference: the library calls it later
        lib.espeak_SetSynthCallback(self._callback)
        self.voice = ""

    def _collect(self, wav: ctypes.Array[c_short], count: int, events: ctypes.Array[_Event]) -> int:
        if count > 0:
            self.samples.append(ctypes.string_at(wav, count * 2))
        i = 0
        while events[i].type != 0:
            event = events[i]
            if event.type in (EVENT_WORD, EVENT_SENTENCE, EVENT_END):
                self.events.append([event.type, event.text_position, event.length, event.sample])
            i += 1
        return 0

    def version(self) -> str:
        path = c_char_p()
        return (self.lib.espeak_Info(ctypes.byref(path)) or b"").decode()

    def set_voice(self, name: str) -> None:
        if name != self.voice:
            result = self.lib.espeak_SetVoiceByName(name.encode())
            if result != 0:  # espeak keeps the previous voice on failure: never speak in the wrong language
                raise LookupError(f"espeak-ng has no voice '{name}'")
            self.voice = name

    def voices(self) -> list[dict[str, object]]:
        found = []
        array = self.lib.espeak_ListVoices(None)
        i = 0
        while array[i]:
            voice = array[i].contents
            languages = []
            pointer = voice.languages
            while pointer:
                priority = ctypes.c_ubyte.from_address(pointer).value
                if priority == 0:
                    break
                language = ctypes.string_at(pointer + 1)
                languages.append([priority, language.decode("utf-8", "replace")])
                pointer += 2 + len(language)
            found.append({"name": (voice.name or b"").decode("utf-8", "replace"),
                          "identifier": (voice.identifier or b"").decode("utf-8", "replace"),
                          "languages": languages})
            i += 1
        return found

    def synthesize(self, text: str, rate: int, phonemes: bool) -> tuple[bytes, list[list[int]]]:
        self.samples.clear()
        self.events.clear()
        self.lib.espeak_SetParameter(PARAM_RATE, rate, 0)
        data = text.encode("utf-8")
        flags = CHARS_UTF8 | (PHONEMES if phonemes else 0)
        result = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, flags, None, None)
        if result != 0:
            raise RuntimeError(f"espeak_Synth returned {result}")
        return b"".join(self.samples), list(self.events)

    def text_to_phonemes(self, text: str, ipa: bool, phonemes: bool, tie: str = "") -> str:
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = c_void_p(ctypes.addressof(buffer))
        textmode = CHARS_UTF8 | (PHONEMES if phonemes else 0)
        phonememode = (0x02 if ipa else 0) | ((0x80 | (ord(tie) << 8)) if tie else 0)  # tie joins affricates
        parts = []
        while pointer.value:
            result = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), textmode, phonememode)
            parts.append((result or b"").decode("utf-8", "replace"))
        return " ".join(p for p in parts if p)


def _send(header: dict[str, object], payload: bytes = b"") -> None:
    stream = sys.stdout.buffer
    stream.write((json.dumps(header) + "\n").encode())
    if payload:
        stream.write(payload)
    stream.flush()


def _in_child(library: Library, request: dict[str, object], write_fd: int) -> None:
    """Runs in the forked child: do the work, write the reply to the pipe, exit without cleanup."""
    try:
        payload = b""
        if request.get("op") == "phonemes":
            if request.get("phoneme_input"):
                library.synthesize("", 175, True)  # switches the library's [[...]] input mode on
            header = {"ok": True, "phonemes": library.text_to_phonemes(
                str(request["text"]), bool(request.get("ipa")), bool(request.get("phoneme_input")),
                str(request.get("tie") or ""))}
        else:
            payload, events = library.synthesize(str(request["text"]), int(request.get("rate", 175)),  # type: ignore[call-overload]
                                                 bool(request.get("phonemes", False)))
            header = {"ok": True, "rate": library.sample_rate, "samples": len(payload) // 2, "events": events}
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(json.dumps(header).encode() + b"\n")
            pipe.write(payload)
        os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - the child reports anything and exits
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(json.dumps({"ok": False, "error": str(exc)}).encode() + b"\n")
        finally:
            os._exit(1)


def _run_in_child(library: Library, request: dict[str, object]) -> tuple[dict[str, object], bytes]:
    timeout = float(request.get("timeout", 60))  # type: ignore[arg-type]
    read_fd, write_fd = os.pipe()
    host = os.getpid()
    pid = os.fork()
    if pid == 0:
        _die_with_parent()
        if os.getppid() != host:
            os._exit(1)
        os.close(read_fd)
        _in_child(library, request, write_fd)
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([pipe], [], [], remaining)
            if not ready:
                continue
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"ok": False, "error": f"espeak-ng did not finish within {timeout:g} s"}, b""
    if os.WIFSIGNALED(status):
        return {"ok": False, "error": f"espeak-ng crashed (signal {os.WTERMSIG(status)})"}, b""
    data = b"".join(chunks)
    newline = data.find(b"\n")
    if newline < 0:
        return {"ok": False, "error": "espeak-ng returned nothing" if not data else
                "espeak-ng returned an unreadable reply"}, b""
    try:
        header = json.loads(data[:newline])
    except ValueError:
        return {"ok": False, "error": "espeak-ng returned an unreadable reply"}, b""
    payload = data[newline + 1:]
    if header.get("ok") and "samples" in header and len(payload) != int(header["samples"]) * 2:
        return {"ok": False, "error": "espeak-ng returned truncated audio"}, b""
    return header, payload


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies, so no helper or clip outlives a killed build."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def serve() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    _die_with_parent()
    if os.getppid() == 1:
        return
    library = Library()
    _send({"ok": True, "ready": True, "rate": library.sample_rate, "version": library.version()})
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "voices":
                _send({"ok": True, "voices": library.voices()})
            elif op in ("synth", "phonemes"):
                library.set_voice(str(request["voice"]))
                header, payload = _run_in_child(library, request)
                _send(header, payload if header.get("ok") else b"")
            elif op == "quit":
                break
            else:
                _send({"ok": False, "error": f"unknown request {op!r}"})
        except LookupError as exc:
            _send({"ok": False, "error": str(exc), "kind": "voice"})
        except Exception as exc:  # noqa: BLE001 - report and keep serving
            _send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    serve()
