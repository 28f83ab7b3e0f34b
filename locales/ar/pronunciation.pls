<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciation lexicon for Arabic (Modern Standard). W3C PLS 1.0.
     Each lexeme: the word(s) as written in the translations (without vowel marks, except where the text has them),
     IPA (shown on pages, used by EPUB reading systems), espeak-ng phoneme codes for voice ar (alphabet="x-espeak",
     spoken by the offline engine) and an alias: the word fully vowelled, which any engine can read.
     Words are given without case endings, as the glossary respelling does; the other entries are medical
     words that espeak-ng misreads without vowel marks, one lexeme per form that occurs in the text.
     The project accepts no "?" or "[" in espeak codes: a hamza inside a phrase is spoken as a short unlinked pause
     (_!), and emphatic t as t with the backed vowels (a. i.) that espeak uses next to emphatic consonants. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="ar">
  <lexeme>
    <grapheme>التنظير الفلوري</grapheme>
    <phoneme>ʔattanˈðˤiːr alˈfluːriː</phoneme>
    <phoneme alphabet="x-espeak">attanZ'i.:R alfl'u:Ri:</phoneme>
    <alias>التَّنْظِير الفْلُورِي</alias>
  </lexeme>
  <lexeme>
    <grapheme>الأشعة</grapheme>
    <phoneme>alʔaˈʃiʕʕa</phoneme>
    <phoneme alphabet="x-espeak">al_!aS'iAAa</phoneme>
    <alias>الأَشِعَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>بالأشعة</grapheme>
    <phoneme>bilʔaˈʃiʕʕa</phoneme>
    <phoneme alphabet="x-espeak">bil_!aS'iAAa</phoneme>
    <alias>بِالْأَشِعَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>للأشعة</grapheme>
    <phoneme>lilʔaˈʃiʕʕa</phoneme>
    <phoneme alphabet="x-espeak">lil_!aS'iAAa</phoneme>
    <alias>لِلْأَشِعَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>أشعة</grapheme>
    <phoneme>ʔaˈʃiʕʕa</phoneme>
    <phoneme alphabet="x-espeak">_!aS'iAAa</phoneme>
    <alias>أَشِعَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>القساطر</grapheme>
    <phoneme>alqaˈsaːtˤir</phoneme>
    <phoneme alphabet="x-espeak">alqas'a.:ti.R</phoneme>
    <alias>القَسَاطِر</alias>
  </lexeme>
  <lexeme>
    <grapheme>الباريوم</grapheme>
    <phoneme>albaːrˈjuːm</phoneme>
    <phoneme alphabet="x-espeak">alba:Rj'u:m</phoneme>
    <alias>البَارْيُوم</alias>
  </lexeme>
  <lexeme>
    <grapheme>الحويضة</grapheme>
    <phoneme>alħuˈwajdˤa</phoneme>
    <phoneme alphabet="x-espeak">alHuw'ajdHa.</phoneme>
    <alias>الحُوَيْضَة</alias>
  </lexeme>
  <lexeme>
    <grapheme>الوريدي</grapheme>
    <phoneme>alwaˈriːdiː</phoneme>
    <phoneme alphabet="x-espeak">alwaR'i:di:</phoneme>
    <alias>الوَرِيدِي</alias>
  </lexeme>
  <lexeme>
    <grapheme>وريدي</grapheme>
    <phoneme>waˈriːdiː</phoneme>
    <phoneme alphabet="x-espeak">waR'i:di:</phoneme>
    <alias>وَرِيدِي</alias>
  </lexeme>
  <lexeme>
    <grapheme>اليودية</grapheme>
    <phoneme>aljuːˈdijja</phoneme>
    <phoneme alphabet="x-espeak">alju:d'ijja</phoneme>
    <alias>اليُودِيَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>وقناتَيْ</grapheme>
    <phoneme>waqaˈnaːtaj</phoneme>
    <phoneme alphabet="x-espeak">waqan'a:taj</phoneme>
    <alias>وَقَنَاتَيْ</alias>
  </lexeme>
  <lexeme>
    <grapheme>فالوب</grapheme>
    <phoneme>faːˈluːb</phoneme>
    <phoneme alphabet="x-espeak">fa:l'u:b</phoneme>
    <alias>فَالُوب</alias>
  </lexeme>
  <lexeme>
    <grapheme>الشرجية</grapheme>
    <phoneme>aʃʃarˈdʒijja</phoneme>
    <phoneme alphabet="x-espeak">aSSaRdZ'ijja</phoneme>
    <alias>الشَّرْجِيَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>شرجية</grapheme>
    <phoneme>ʃarˈdʒijja</phoneme>
    <phoneme alphabet="x-espeak">SaRdZ'ijja</phoneme>
    <alias>شَرْجِيَّة</alias>
  </lexeme>
  <lexeme>
    <grapheme>الوعائي</grapheme>
    <phoneme>alwiˈʕaːʔiː</phoneme>
    <phoneme alphabet="x-espeak">alwiA'a:_!i:</phoneme>
    <alias>الوِعَائِي</alias>
  </lexeme>
  <lexeme>
    <grapheme>تحسسي</grapheme>
    <phoneme>taˈħassusiː</phoneme>
    <phoneme alphabet="x-espeak">taH'assusi:</phoneme>
    <alias>تَحَسُّسِي</alias>
  </lexeme>
  <lexeme>
    <grapheme>والدعامات</grapheme>
    <phoneme>waddiʕaːˈmaːt</phoneme>
    <phoneme alphabet="x-espeak">waddiAa:m'a:t</phoneme>
    <alias>وَالدِّعَامَات</alias>
  </lexeme>
  <!-- قسطرة: espeak reads it well on its own, but the entry gives pages and EPUB readers the IPA and
       keeps the stress on the first syllable (QAS-ta-ra); the vowelled alias alone would be stressed on the
       second syllable. In the idafa قسطرة القلب the taa marbuta is pronounced (qastarat al-qalb). -->
  <lexeme>
    <grapheme>قسطرة القلب</grapheme>
    <phoneme>ˈqastˤarat alˈqalb</phoneme>
    <phoneme alphabet="x-espeak">q'asta.Rat alq'alb</phoneme>
    <alias>قَسْطَرَة القَلْب</alias>
  </lexeme>
  <lexeme>
    <grapheme>قسطرة</grapheme>
    <phoneme>ˈqastˤara</phoneme>
    <phoneme alphabet="x-espeak">q'asta.Ra</phoneme>
    <alias>قَسْطَرَة</alias>
  </lexeme>
  <!-- دعامة: without vowel marks espeak stresses the first syllable (DI-aa-ma); the stress is on the long
       aa (di-AA-ma). -->
  <lexeme>
    <grapheme>دعامة</grapheme>
    <phoneme>diˈʕaːma</phoneme>
    <phoneme alphabet="x-espeak">diA'a:ma</phoneme>
    <alias>دِعَامَة</alias>
  </lexeme>
  <!-- الأربية (groin): espeak reads al-UR-bii-ya; the word is al-ur-BIY-ya, with a doubled y. -->
  <lexeme>
    <grapheme>الأربية</grapheme>
    <phoneme>alʔurˈbijja</phoneme>
    <phoneme alphabet="x-espeak">al_!uRb'ijja</phoneme>
    <alias>الأُرْبِيَّة</alias>
  </lexeme>
</lexicon>
