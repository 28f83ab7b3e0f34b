<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Chinese (Simplified, Mandarin). W3C PLS 1.0.
     Each lexeme: the word(s), IPA (citation tones as tone letters; shown on pages, used by EPUB reading systems),
     espeak-ng phoneme codes for the cmn voice (alphabet="x-espeak", spoken by the offline engine; the tone
     number follows each vowel) and an alias in characters that any engine can read.
     The letter X is said as in English, "ex", with the high level tone Mandarin gives letter names. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="zh-Hans">
  <lexeme>
    <grapheme>X线透视</grapheme>
    <phoneme>ɛks˥ ɕi̯ɛn˥˩ tʰoʊ̯˥˩ ʂʐ̩˥˩</phoneme>
    <phoneme alphabet="x-espeak">'E55ks S;'iE51n th'ou51 s.'i.51</phoneme>
    <alias>艾克斯线透视</alias>
  </lexeme>
  <lexeme>
    <grapheme>X线透视检查</grapheme>
    <phoneme>ɛks˥ ɕi̯ɛn˥˩ tʰoʊ̯˥˩ ʂʐ̩˥˩ tɕi̯ɛn˨˩˦ ʈʂʰa˧˥</phoneme>
    <phoneme alphabet="x-espeak">'E55ks S;'iE51n th'ou51 s.'i.51 tS;'iE214n ts.h'A35</phoneme>
    <alias>艾克斯线透视检查</alias>
  </lexeme>
  <lexeme>
    <grapheme>屏住</grapheme>
    <phoneme>piŋ˨˩˦ ʈʂu˥˩</phoneme>
    <phoneme alphabet="x-espeak">p'i214N ts.'u51</phoneme>
    <alias>秉住</alias>
  </lexeme>
</lexicon>
