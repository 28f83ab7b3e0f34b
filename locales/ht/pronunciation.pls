<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Haitian Creole (Kreyòl ayisyen). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems; syllables separated by dots,
     the light final-syllable stress of Kreyòl marked with ˈ; r = [ɣ]), espeak-ng phoneme codes for voice ht
     (alphabet="x-espeak", spoken by the offline engine) and an alias in standard Kreyòl (IPN) spelling.
     Besides the glossary headword, only medical words that espeak-ng (voice ht) clearly mispronounces are listed:
     it reads r as [h], j as [j], ch as [ʃh], does not nasalize an/en/on, merges è/ò with e/o and says "IV" as
     a Roman numeral. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="ht">
  <lexeme>
    <grapheme>fliyowoskopi</grapheme>
    <phoneme>fli.jo.wos.koˈpi</phoneme>
    <phoneme alphabet="x-espeak">flijowoskop'i</phoneme>
    <alias>fliyowoskopi</alias>
  </lexeme>
  <lexeme>
    <grapheme>radyografi</grapheme>
    <phoneme>ɣa.djo.ɡɣaˈfi</phoneme>
    <phoneme alphabet="x-espeak">QadjogQaf'i</phoneme>
    <alias>radyografi</alias>
  </lexeme>
  <lexeme>
    <grapheme>radyasyon</grapheme>
    <phoneme>ɣa.djaˈsjõ</phoneme>
    <phoneme alphabet="x-espeak">Qadjasj'O~</phoneme>
    <alias>radyasyon</alias>
  </lexeme>
  <lexeme>
    <grapheme>radyoloji</grapheme>
    <phoneme>ɣa.djo.loˈʒi</phoneme>
    <phoneme alphabet="x-espeak">QadjoloZ'i</phoneme>
    <alias>radyoloji</alias>
  </lexeme>
  <lexeme>
    <grapheme>radyològ</grapheme>
    <phoneme>ɣa.djoˈlɔɡ</phoneme>
    <phoneme alphabet="x-espeak">Qadjol'Og</phoneme>
    <alias>radyològ</alias>
  </lexeme>
  <lexeme>
    <grapheme>isterosalpengografi</grapheme>
    <phoneme>is.te.ɣo.sal.pɛ̃.ɡo.ɡɣaˈfi</phoneme>
    <phoneme alphabet="x-espeak">isteQosalpE~gogQaf'i</phoneme>
    <alias>isterosalpengografi</alias>
  </lexeme>
  <lexeme>
    <grapheme>anjyoplasti</grapheme>
    <phoneme>ã.ʒjo.plasˈti</phoneme>
    <phoneme alphabet="x-espeak">A~Zjoplast'i</phoneme>
    <alias>anjyoplasti</alias>
  </lexeme>
  <lexeme>
    <grapheme>pyelografi</grapheme>
    <phoneme>pje.lo.ɡɣaˈfi</phoneme>
    <phoneme alphabet="x-espeak">pjelogQaf'i</phoneme>
    <alias>pyelografi</alias>
  </lexeme>
  <lexeme>
    <grapheme>kateterizasyon</grapheme>
    <phoneme>ka.te.te.ɣi.zaˈsjõ</phoneme>
    <phoneme alphabet="x-espeak">kateteQizasj'O~</phoneme>
    <alias>kateterizasyon</alias>
  </lexeme>
  <lexeme>
    <grapheme>chirijyen</grapheme>
    <phoneme>ʃi.ɣiˈʒjɛ̃</phoneme>
    <phoneme alphabet="x-espeak">SiQiZj'E~</phoneme>
    <alias>chirijyen</alias>
  </lexeme>
  <lexeme>
    <grapheme>gastwoentestinal</grapheme>
    <phoneme>ɡas.two.ɛ̃.tes.tiˈnal</phoneme>
    <phoneme alphabet="x-espeak">gastwoE~testin'al</phoneme>
    <alias>gastwoentestinal</alias>
  </lexeme>
  <lexeme>
    <grapheme>entravenèz</grapheme>
    <phoneme>ɛ̃.tɣa.veˈnɛz</phoneme>
    <phoneme alphabet="x-espeak">E~tQaven'Ez</phoneme>
    <alias>entravenèz</alias>
  </lexeme>
  <lexeme>
    <grapheme>IV</grapheme>
    <phoneme>iˈve</phoneme>
    <phoneme alphabet="x-espeak">iv'e</phoneme>
    <alias>i ve</alias>
  </lexeme>
  <lexeme>
    <grapheme>ezofaj</grapheme>
    <phoneme>e.zoˈfaʒ</phoneme>
    <phoneme alphabet="x-espeak">ezof'aZ</phoneme>
    <alias>ezofaj</alias>
  </lexeme>
  <lexeme>
    <grapheme>baryòm</grapheme>
    <phoneme>baˈɣjɔm</phoneme>
    <phoneme alphabet="x-espeak">baQj'Om</phoneme>
    <alias>baryòm</alias>
  </lexeme>
  <lexeme>
    <grapheme>alèji</grapheme>
    <phoneme>a.lɛˈʒi</phoneme>
    <phoneme alphabet="x-espeak">alEZ'i</phoneme>
    <alias>alèji</alias>
  </lexeme>
  <lexeme>
    <grapheme>alèjik</grapheme>
    <phoneme>a.lɛˈʒik</phoneme>
    <phoneme alphabet="x-espeak">alEZ'ik</phoneme>
    <alias>alèjik</alias>
  </lexeme>
  <lexeme>
    <grapheme>dijestif</grapheme>
    <phoneme>di.ʒesˈtif</phoneme>
    <phoneme alphabet="x-espeak">diZest'if</phoneme>
    <alias>dijestif</alias>
  </lexeme>
  <lexeme>
    <grapheme>repwodiktif</grapheme>
    <phoneme>ɣe.pwo.dikˈtif</phoneme>
    <phoneme alphabet="x-espeak">Qepwodikt'if</phoneme>
    <alias>repwodiktif</alias>
  </lexeme>
  <lexeme>
    <grapheme>entèvansyonèl</grapheme>
    <phoneme>ɛ̃.tɛ.vã.sjoˈnɛl</phoneme>
    <phoneme alphabet="x-espeak">E~tEvA~sjon'El</phoneme>
    <alias>entèvansyonèl</alias>
  </lexeme>
  <lexeme>
    <grapheme>konjesyon</grapheme>
    <phoneme>kõ.ʒeˈsjõ</phoneme>
    <phoneme alphabet="x-espeak">kO~Zesj'O~</phoneme>
    <alias>konjesyon</alias>
  </lexeme>
  <lexeme>
    <grapheme>serebral</grapheme>
    <phoneme>se.ɣeˈbɣal</phoneme>
    <phoneme alphabet="x-espeak">seQebQ'al</phoneme>
    <alias>serebral</alias>
  </lexeme>
  <lexeme>
    <grapheme>kontras</grapheme>
    <phoneme>kõˈtɣas</phoneme>
    <phoneme alphabet="x-espeak">kO~tQ'as</phoneme>
    <alias>kontras</alias>
  </lexeme>
  <lexeme>
    <grapheme>rektòm</grapheme>
    <phoneme>ɣɛkˈtɔm</phoneme>
    <phoneme alphabet="x-espeak">QEkt'Om</phoneme>
    <alias>rektòm</alias>
  </lexeme>
  <lexeme>
    <grapheme>irinè</grapheme>
    <phoneme>i.ɣiˈnɛ</phoneme>
    <phoneme alphabet="x-espeak">iQin'E</phoneme>
    <alias>irinè</alias>
  </lexeme>
</lexicon>
