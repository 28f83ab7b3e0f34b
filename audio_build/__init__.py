"""audio-build: accessible, multilingual health information with text-to-speech.

The pipeline flows one way, one module per stage:
content -> extract -> catalog -> localize -> speech -> audio -> pages / epub / bundle -> manifest.
`build` orchestrates the stages and `cli` is a thin Click front end over them.
"""

__version__ = "0.1.0"
