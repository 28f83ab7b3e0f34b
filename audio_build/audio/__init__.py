"""Sound files from engine clips: assembly with pauses, loudness to -16 LUFS under a true-peak ceiling,
MP3 encoding with ID3 tags and chapters, WebVTT captions and the sync map the pages and EPUBs follow."""
