<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Tagalog (Filipino). W3C PLS 1.0.
     Offline, Tagalog is spoken by espeak-ng's Indonesian voice through Tagalog's own spelling rules
     (audio_build/engines/tagalog.py): the <alias> below is written in Filipino spelling and goes through those
     rules. Google's gTTS voice, where there is a network, reads the same alias. The IPA is shown on pages and
     used by EPUB reading systems. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="tl">
  <lexeme>
    <grapheme>fluoroscopy</grapheme>
    <phoneme>fluˈɾoskopi</phoneme>
    <alias>fluroskopi</alias>
  </lexeme>
  <lexeme>
    <grapheme>x-ray</grapheme>
    <phoneme>ˈɛksɾej</phoneme>
    <alias>eksrey</alias>
  </lexeme>
</lexicon>
