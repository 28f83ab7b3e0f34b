<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Portuguese (Brazil). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine, voice pt-br) and an alias that any engine can read.
     "fluoroscopia" is said in six syllables, flu-o-ros-co-PÍ-a, with "u" and "o" in hiatus
     (as in "flúor") and the stress on "pi", as the glossary respelling shows; without this entry espeak-ng
     glides "fluo" into one syllable (flwo-) and puts a secondary stress on it.
     espeak-ng's pt-br code "&" is the reduced final a [ɐ]; its IPA output prints it as "æ". -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="pt-BR">
  <lexeme>
    <grapheme>fluoroscopia</grapheme>
    <phoneme>flu.o.ɾos.ko.ˈpi.ɐ</phoneme>
    <phoneme alphabet="x-espeak">fluo*oskop'i;&amp;</phoneme>
    <alias>fluoroscopia</alias>
  </lexeme>
</lexicon>
