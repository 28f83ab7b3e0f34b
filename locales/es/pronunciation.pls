<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Spanish (neutral Latin American). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine, voice es-419) and an alias that any engine can read.
     "fluoroscopia" is said with the stress on "co" (fluo-ros-CO-pia), like "radioscopia": this is the standard
     written form (RAE, medical usage) used in all the text, and the glossary respelling shows the same stress.
     espeak-ng already puts the stress there, but splits "fluo" into two syllables (flu-o) with a secondary
     stress on the "o"; this entry says "fluo" as one syllable, as the respelling shows. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="es">
  <lexeme>
    <grapheme>fluoroscopia</grapheme>
    <phoneme>flwo.ɾos.ˈko.pja</phoneme>
    <phoneme alphabet="x-espeak">flwo**osk'opja</phoneme>
    <alias>fluoroscopia</alias>
  </lexeme>
  <lexeme>
    <grapheme>fluoroscópicas</grapheme>
    <phoneme>flwo.ɾos.ˈko.pi.kas</phoneme>
    <phoneme alphabet="x-espeak">flwo**osk'opikas</phoneme>
    <alias>fluoroscópicas</alias>
  </lexeme>
</lexicon>
