<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Spanish (neutral Latin American). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine, voice es-419) and an alias that any engine can read.
     "fluoroscopia" is said with the stress on the "í" (fluo-ros-co-PÍ-a), as the glossary respelling shows and
     as is usual in the Americas; without this entry espeak-ng says "fluoroscOpia". -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="es">
  <lexeme>
    <grapheme>fluoroscopia</grapheme>
    <phoneme>flwo.ɾos.ko.ˈpi.a</phoneme>
    <phoneme alphabet="x-espeak">flwo**oskop'i;a</phoneme>
    <alias>fluoroscopía</alias>
  </lexeme>
  <lexeme>
    <grapheme>fluoroscópicas</grapheme>
    <phoneme>flwo.ɾos.ˈko.pi.kas</phoneme>
    <phoneme alphabet="x-espeak">flwo**osk'opikas</phoneme>
    <alias>fluoroscópicas</alias>
  </lexeme>
</lexicon>
