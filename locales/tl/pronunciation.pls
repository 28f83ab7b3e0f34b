<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Tagalog (Filipino). W3C PLS 1.0.
     Tagalog is spoken by Google's gTTS voice, which takes no phonemes: it reads the <alias>
     (the word in Filipino spelling). The IPA is shown on pages and used by EPUB reading systems.
     espeak-ng has no Tagalog voice, so no x-espeak phonemes are given. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="tl">
  <lexeme>
    <grapheme>fluoroscopy</grapheme>
    <phoneme>fluˈɾoskopi</phoneme>
    <alias>fluroskopi</alias>
  </lexeme>
</lexicon>
