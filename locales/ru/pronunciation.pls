<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Russian. W3C PLS 1.0.
     Each lexeme: the word(s), IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes
     (alphabet="x-espeak", spoken by the offline engine, voice ru) and an alias that any engine can read.
     The headword and every form listed in its "link words" have their own lexeme; the other entries are
     medical words that espeak-ng stresses wrongly on its own.
     Note on the espeak codes: espeak's ru voice has no [ɐ]; its pretonic "V" (read back as [a]) stands for it,
     "tS;" stands for [tɕ], "y" for [ɨ], and it cannot keep a soft [lʲ] before a consonant. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="ru">
  <lexeme>
    <grapheme>рентгеноскопия</grapheme>
    <phoneme>rʲɪnɡʲɪnəskɐˈpʲijə</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@skVp;'ij@</phoneme>
    <alias>рентгеноскопия</alias>
  </lexeme>
  <lexeme>
    <grapheme>рентгеноскопии</grapheme>
    <phoneme>rʲɪnɡʲɪnəskɐˈpʲiɪ</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@skVp;'iI</phoneme>
    <alias>рентгеноскопии</alias>
  </lexeme>
  <lexeme>
    <grapheme>рентгеноскопию</grapheme>
    <phoneme>rʲɪnɡʲɪnəskɐˈpʲiju</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@skVp;'iju</phoneme>
    <alias>рентгеноскопию</alias>
  </lexeme>
  <lexeme>
    <grapheme>рентгеноскопией</grapheme>
    <phoneme>rʲɪnɡʲɪnəskɐˈpʲijɪj</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@skVp;'ijIj</phoneme>
    <alias>рентгеноскопией</alias>
  </lexeme>
  <lexeme>
    <grapheme>рентгеноскопические</grapheme>
    <phoneme>rʲɪnɡʲɪnəskɐˈpʲitɕɪskʲɪjɪ</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@skVp;'itS;Isk;IjI</phoneme>
    <alias>рентгеноскопические</alias>
  </lexeme>
  <lexeme>
    <grapheme>флюороскопия</grapheme>
    <phoneme>flʲʊərəskɐˈpʲijə</phoneme>
    <phoneme alphabet="x-espeak">fl;u@r@skVp;'ij@</phoneme>
    <alias>флюороскопия</alias>
  </lexeme>
  <lexeme>
    <grapheme>ирригоскопия</grapheme>
    <phoneme>ɪrʲɪɡəskɐˈpʲijə</phoneme>
    <phoneme alphabet="x-espeak">Ir;Ig@skVp;'ij@</phoneme>
    <alias>ирригоскопия</alias>
  </lexeme>
  <lexeme>
    <grapheme>гистеросальпингография</grapheme>
    <phoneme>ɡʲɪstʲɪrəsəlʲpʲɪnɡɐˈɡrafʲɪjə</phoneme>
    <phoneme alphabet="x-espeak">g;Ist;Ir@s@l;p;IngVgr'Af;Ij@</phoneme>
    <alias>гистеросальпингография</alias>
  </lexeme>
  <lexeme>
    <grapheme>ангиопластики</grapheme>
    <phoneme>ɐnɡʲɪɐˈplastʲɪkʲɪ</phoneme>
    <phoneme alphabet="x-espeak">Vng;IVpl'Ast;Ik;I</phoneme>
    <alias>ангиопластики</alias>
  </lexeme>
  <lexeme>
    <grapheme>органы</grapheme>
    <phoneme>ˈorɡənɨ</phoneme>
    <phoneme alphabet="x-espeak">'org@ny</phoneme>
    <alias>органы</alias>
  </lexeme>
  <lexeme>
    <grapheme>органов</grapheme>
    <phoneme>ˈorɡənəf</phoneme>
    <phoneme alphabet="x-espeak">'org@n@f</phoneme>
    <alias>органов</alias>
  </lexeme>
  <lexeme>
    <grapheme>органа</grapheme>
    <phoneme>ˈorɡənə</phoneme>
    <phoneme alphabet="x-espeak">'org@n@</phoneme>
    <alias>органа</alias>
  </lexeme>
  <lexeme>
    <grapheme>мочевыводящей</grapheme>
    <phoneme>mətɕɪvɨvɐˈdʲaɕːɪj</phoneme>
    <phoneme alphabet="x-espeak">m@tS;IvyvVd;'AS;Ij</phoneme>
    <alias>мочевыводящей</alias>
  </lexeme>
  <lexeme>
    <grapheme>йодсодержащее</grapheme>
    <phoneme>jɪtsədʲɪrˈʐaɕːɪjə</phoneme>
    <phoneme alphabet="x-espeak">jIts@d;IrZ'AS;Ij@</phoneme>
    <alias>йодсодержащее</alias>
  </lexeme>
  <lexeme>
    <grapheme>рентгенолаборантов</grapheme>
    <phoneme>rʲɪnɡʲɪnəɫəbɐˈrantəf</phoneme>
    <phoneme alphabet="x-espeak">r;Ing;In@l@bVr'Ant@f</phoneme>
    <alias>рентгенолаборантов</alias>
  </lexeme>
</lexicon>
