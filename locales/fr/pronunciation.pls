<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for French (France). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems; syllables separated by dots,
     no stress mark: French has no lexical stress), espeak-ng phoneme codes for voice fr-fr
     (alphabet="x-espeak", spoken by the offline engine) and an alias that any engine can read. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="fr">
  <lexeme>
    <grapheme>radioscopie</grapheme>
    <phoneme>ʁa.djɔ.skɔ.pi</phoneme>
    <phoneme alphabet="x-espeak">radjOskOp'i</phoneme>
    <alias>radioscopie</alias>
  </lexeme>
  <lexeme>
    <grapheme>hystérosalpingographie</grapheme>
    <phoneme>is.te.ʁo.sal.pɛ̃.ɡɔ.ɡʁa.fi</phoneme>
    <phoneme alphabet="x-espeak">isterosalpE~gOgraf'i</phoneme>
    <alias>istérossalpingographie</alias>
  </lexeme>
  <lexeme>
    <grapheme>cathéter</grapheme>
    <grapheme>cathéters</grapheme>
    <phoneme>ka.te.tɛʁ</phoneme>
    <phoneme alphabet="x-espeak">katet'Er</phoneme>
    <alias>catétère</alias>
  </lexeme>
  <lexeme>
    <grapheme>stent</grapheme>
    <grapheme>stents</grapheme>
    <phoneme>stɛnt</phoneme>
    <phoneme alphabet="x-espeak">st'Ent</phoneme>
    <alias>stènte</alias>
  </lexeme>
  <lexeme>
    <grapheme>IV</grapheme>
    <phoneme>i.ve</phoneme>
    <phoneme alphabet="x-espeak">iv'e</phoneme>
    <alias>ivé</alias>
  </lexeme>
</lexicon>
