<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Korean. W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine, voice ko) and an alias that any engine can read.
     Korean particles are written together with the noun, so every form of the headword used in the
     catalogs (the "link words" of the glossary entry) has its own lexeme.
     X선 is read 엑스선 [엑쓰선] (espeak would otherwise switch to English for the Latin X). -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="ko">
  <lexeme>
    <grapheme>X선 투시 검사</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsa</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa</phoneme>
    <alias>엑스선 투시 검사</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사가</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsaɡa</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msag,a</phoneme>
    <alias>엑스선 투시 검사가</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사는</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsanɯn</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msan,u-n</phoneme>
    <alias>엑스선 투시 검사는</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사란</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsaɾan</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa*,an</phoneme>
    <alias>엑스선 투시 검사란</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사로</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsaɾo</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa*,o</phoneme>
    <alias>엑스선 투시 검사로</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사를</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsaɾɯl</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa*,u-l</phoneme>
    <alias>엑스선 투시 검사를</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사만의</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsamane</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msam,ane</phoneme>
    <alias>엑스선 투시 검사만의</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사에서는</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsaesʌnɯn</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa,es@n,u-n</phoneme>
    <alias>엑스선 투시 검사에서는</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 검사의</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi ɡʌmsae</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i g'@msa,e</phoneme>
    <alias>엑스선 투시 검사의</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 영상</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi jʌŋsaŋ</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i j'@NsaN</phoneme>
    <alias>엑스선 투시 영상</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선 투시 영상을</grapheme>
    <phoneme>ek̚s͈ɯsʌn tʰuɕi jʌŋsaŋɯl</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n th'uS;i j'@NsaN,u-l</phoneme>
    <alias>엑스선 투시 영상을</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선</grapheme>
    <phoneme>ek̚s͈ɯsʌn</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@n</phoneme>
    <alias>엑스선</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선을</grapheme>
    <phoneme>ek̚s͈ɯsʌnɯl</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@nu-L</phoneme>
    <alias>엑스선을</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선이</grapheme>
    <phoneme>ek̚s͈ɯsʌni</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@ni</phoneme>
    <alias>엑스선이</alias>
  </lexeme>
  <lexeme>
    <grapheme>X선에</grapheme>
    <phoneme>ek̚s͈ɯsʌne</phoneme>
    <phoneme alphabet="x-espeak">'eks-u-s,@ne</phoneme>
    <alias>엑스선에</alias>
  </lexeme>
  <!-- 방사선량 is [방ː사선냥], not [방사설량]: 표준 발음법 제20항 다만 (생산량[생산냥], 입원료[이붠뇨]) - a
       two-syllable-or-longer Sino-Korean noun ending in ㄴ (방사선) + the suffix -량 is said with [ㄴㄴ]. The
       vowel length of 방 is not marked, as elsewhere in this lexicon. espeak on its own says [방사선rjang]. -->
  <lexeme>
    <grapheme>방사선량</grapheme>
    <phoneme>paŋsasʌnnjaŋ</phoneme>
    <phoneme alphabet="x-espeak">p'aNsas,@nnj,aN</phoneme>
    <alias>방사선냥</alias>
  </lexeme>
  <lexeme>
    <grapheme>방사선량도</grapheme>
    <phoneme>paŋsasʌnnjaŋdo</phoneme>
    <phoneme alphabet="x-espeak">p'aNsas,@nnj,aNdo</phoneme>
    <alias>방사선냥도</alias>
  </lexeme>
  <lexeme>
    <grapheme>방사선량은</grapheme>
    <phoneme>paŋsasʌnnjaŋɯn</phoneme>
    <phoneme alphabet="x-espeak">p'aNsas,@nnj,aNu-n</phoneme>
    <alias>방사선냥은</alias>
  </lexeme>
  <lexeme>
    <grapheme>심장내과</grapheme>
    <phoneme>ɕimdʑaŋnɛk͈wa</phoneme>
    <phoneme alphabet="x-espeak">S;'imdZ;aNn,Ek-wa</phoneme>
    <alias>심장내꽈</alias>
  </lexeme>
  <lexeme>
    <grapheme>정형외과</grapheme>
    <phoneme>tɕʌŋhjʌŋwek͈wa</phoneme>
    <phoneme alphabet="x-espeak">tS;'@Nhj@Nw,ek-wa</phoneme>
    <alias>정형외꽈</alias>
  </lexeme>
  <lexeme>
    <grapheme>외과</grapheme>
    <phoneme>wek͈wa</phoneme>
    <phoneme alphabet="x-espeak">w'ek-wa</phoneme>
    <alias>외꽈</alias>
  </lexeme>
  <lexeme>
    <grapheme>골절</grapheme>
    <phoneme>kolt͈ɕʌl</phoneme>
    <phoneme alphabet="x-espeak">k'oltS;-@l</phoneme>
    <alias>골쩔</alias>
  </lexeme>
  <lexeme>
    <grapheme>골절을</grapheme>
    <phoneme>kolt͈ɕʌɾɯl</phoneme>
    <phoneme alphabet="x-espeak">k'oltS;-@*,u-l</phoneme>
    <alias>골쩌를</alias>
  </lexeme>
  <lexeme>
    <grapheme>뇌졸중</grapheme>
    <phoneme>nwedʑolt͈ɕuŋ</phoneme>
    <phoneme alphabet="x-espeak">nw'edZ;oltS;-uN</phoneme>
    <alias>뇌졸쭝</alias>
  </lexeme>
  <!-- IV (intravenous line), as Korean hospital staff say it: 아이브이. Without this entry the offline voice
       switches to English in mid-sentence to spell the letters (and espeak reads a lone "IV" as the Roman
       numeral four). "I V" is the form the speech rules pass to the engine (they split IV into letters
       before the lexicon is applied); "IV" is the form EPUB reading systems see in the text. -->
  <lexeme>
    <grapheme>IV</grapheme>
    <grapheme>I V</grapheme>
    <phoneme>aibɯi</phoneme>
    <phoneme alphabet="x-espeak">'aib,u-i</phoneme>
    <alias>아이브이</alias>
  </lexeme>
</lexicon>
