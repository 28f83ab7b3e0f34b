<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for English (US). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine) and an alias that any engine can read. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme>
    <grapheme>fluoroscopy</grapheme>
    <phoneme>flʊˈrɑskəpi</phoneme>
    <phoneme alphabet="x-espeak">flU'r0sk@pi</phoneme>
    <alias>floo ross kuh pee</alias>
  </lexeme>
  <lexeme>
    <grapheme>fluoroscopic</grapheme>
    <phoneme>ˌflʊrəˈskɑpɪk</phoneme>
    <phoneme alphabet="x-espeak">fl,Ur@sk'0pIk</phoneme>
    <alias>floor uh skop ick</alias>
  </lexeme>
  <lexeme>
    <grapheme>hysterosalpingogram</grapheme>
    <phoneme>ˌhɪstəroʊsælˈpɪŋɡəˌɡræm</phoneme>
    <phoneme alphabet="x-espeak">h,Ist@roUsal'pINg@gr,am</phoneme>
    <alias>hiss ter oh sal ping guh gram</alias>
  </lexeme>
  <lexeme>
    <grapheme>angioplasty</grapheme>
    <phoneme>ˈændʒioʊˌplæsti</phoneme>
    <phoneme alphabet="x-espeak">'andZi:oUpl,asti</phoneme>
    <alias>an jee oh plass tee</alias>
  </lexeme>
  <lexeme>
    <grapheme>pyelogram</grapheme>
    <phoneme>ˈpaɪələˌɡræm</phoneme>
    <phoneme alphabet="x-espeak">p'aI@l@gr,am</phoneme>
    <alias>pie uh luh gram</alias>
  </lexeme>
  <lexeme>
    <grapheme>pyelograms</grapheme>
    <phoneme>ˈpaɪələˌɡræmz</phoneme>
    <phoneme alphabet="x-espeak">p'aI@l@gr,amz</phoneme>
    <alias>pie uh luh grams</alias>
  </lexeme>
  <lexeme>
    <grapheme>iodinated</grapheme>
    <phoneme>ˈaɪədɪˌneɪtɪd</phoneme>
    <phoneme alphabet="x-espeak">'aI@dIn,eItId</phoneme>
    <alias>eye uh dih nay tid</alias>
  </lexeme>
  <lexeme>
    <grapheme>cardiologist</grapheme>
    <phoneme>ˌkɑrdiˈɑlədʒɪst</phoneme>
    <phoneme alphabet="x-espeak">k,A@di'0l@dZIst</phoneme>
    <alias>car dee ol uh jist</alias>
  </lexeme>
  <lexeme>
    <grapheme>cardiologists</grapheme>
    <phoneme>ˌkɑrdiˈɑlədʒɪsts</phoneme>
    <phoneme alphabet="x-espeak">k,A@di'0l@dZIsts</phoneme>
    <alias>car dee ol uh jists</alias>
  </lexeme>
</lexicon>
