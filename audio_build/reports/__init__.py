"""Measurements for publishers: readability of the text and intelligibility of the speech."""
