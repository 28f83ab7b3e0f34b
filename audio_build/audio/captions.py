"""Captions and the sync map: WebVTT cues and the JSON the pages' read-along follows, one per sentence."""

from __future__ import annotations

import json

from audio_build.audio.assemble import Assembled


def clock(seconds: float, hour_digits: int = 2) -> str:
    """h:mm:ss.fff, as WebVTT (two hour digits) and SMIL/EPUB (any) write times."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:0{hour_digits}d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    return " ".join(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split())


def webvtt(assembled: Assembled, language: str) -> bytes:
    """One cue per sentence, timed from the synthesis; cue ids are the page's sentence ids."""
    lines = ["WEBVTT", f"Language: {language}", ""]
    for segment in assembled.segments:
        for sentence_id, begin, end, text in segment.sentences:
            if end <= begin:
                continue
            lines.extend([sentence_id, f"{clock(begin)} --> {clock(end)}", _vtt_text(text), ""])
    return ("\n".join(lines)).encode("utf-8")


def sync_map(assembled: Assembled, duration: float | None = None) -> dict[str, object]:
    return {
        "duration": round(assembled.duration if duration is None else duration, 3),
        "blocks": {s.block_id: [round(s.start, 3), round(s.end, 3)] for s in assembled.segments},
        "sentences": {sid: [round(b, 3), round(e, 3)] for s in assembled.segments for sid, b, e, _ in s.sentences},
    }


def sync_json(assembled: Assembled, duration: float | None = None) -> bytes:
    return (json.dumps(sync_map(assembled, duration), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
