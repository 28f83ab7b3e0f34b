<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Vietnamese. W3C PLS 1.0.
     Each lexeme: the word(s), IPA (Northern standard, with Chao tone letters; shown on pages, used by EPUB
     reading systems), espeak-ng phoneme codes for voice vi (alphabet="x-espeak", spoken by the offline engine)
     and an alias in ordinary Vietnamese spelling that any engine can read.
     Vietnamese does not inflect: 'chiếu X-quang' is the only form in the texts. The Latin letter X is said
     'ích'. The short break (_) after 'chiếu' stands for the glottal onset [ʔ] of 'ích', as espeak itself
     does after vowel-final words, so that 'ích' is not run into the final [w] of 'chiếu'. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="vi">
  <lexeme>
    <grapheme>chiếu X-quang</grapheme>
    <phoneme>t͡ɕiəw˧˥ ʔic˧˥ kwaːŋ˧˧</phoneme>
    <phoneme alphabet="x-espeak">tS'iE3w_ 'i3c kw'a:N</phoneme>
    <alias>chiếu ích quang</alias>
  </lexeme>
</lexicon>
