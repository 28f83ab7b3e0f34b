"""Source content and configuration: parsed faithfully, and every mistake named by file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audio_build.content.markup import plain_text
from audio_build.content.parse import load_corpus, parse_document
from tests.conftest import REPO, Project


def test_the_repository_keeps_every_sentence_of_both_seeds_in_order() -> None:
    """Every sentence of the seed documents' article text is in the content, in order, chrome left out."""
    corpus = load_corpus(REPO / "content", REPO)
    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed documents are not next to this checkout")
    documents = {"glossary": corpus.term("fluoroscopy"), "page": corpus.article("fluoroscopy")}
    assert documents["glossary"] is not None and documents["page"] is not None
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        doc = documents["glossary"] if "Health glossary" in text else documents["page"]
        assert doc is not None
        body = " ".join(plain_text(b.text) for b in doc.body)
        everything = " ".join([*(plain_text(b.text) for b in doc.blocks), *(r.text for r in doc.references)])
        chrome = ("Skip navigation", "Official websites use .gov", "Secure .gov websites", "URL of this page",
                  "A lock (", "A .gov website belongs", "Related terms", "Related articles", "Part of speech",
                  "Health glossary", "Pronunciation", "floo-ROS-kuh-pee")
        position = 0
        for line in text.splitlines():
            line = " ".join(line.split()).lstrip("• ")
            if not line or line.startswith(chrome):
                continue
            line = re.sub(r"^(\d+\.\s*|Origin(?=Latin))", "", line)
            for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", line):
                sentence = sentence.strip()
                if len(sentence) < 4:
                    continue
                assert sentence in everything, f"{seed.name}: missing: {sentence!r}"
                found = body.find(sentence)
                if found >= 0:  # body text keeps the seed's order
                    assert found >= position, f"{seed.name}: out of order: {sentence!r}"
                    position = found
    # structure kept as data
    term = corpus.term("fluoroscopy")
    assert term is not None
    assert term.field("respelling").text == "floo-ROS-kuh-pee"  # type: ignore[union-attr]
    assert term.field("part_of_speech").text == "noun"  # type: ignore[union-attr]
    assert term.related_articles == ("fluoroscopy",)
    page = corpus.article("fluoroscopy")
    assert page is not None and page.related_terms == ("fluoroscopy",)
    assert len(page.references) == 9
    assert next(b.text for b in page.body if b.kind == "heading") == "What is fluoroscopy?"
    assert sum(1 for b in page.body if b.kind == "item") == 13


@pytest.mark.parametrize(("text", "line", "message"), [
    ("---\ntitle: [unclosed\nsummary: x\nupdated: 2024-01-01\n---\nBody.\n", 3, "invalid YAML front matter"),
    ("---\ntitle: T\nsummary: S\nupdated: 2024-01-01\ncolour: red\n---\nBody.\n", 5, "unknown key 'colour'"),
    ("---\nsummary: S\nupdated: 2024-01-01\n---\nBody.\n", 1, "missing required key 'title'"),
    ("---\ntitle: T\nsummary: S\nupdated: soon\n---\nBody.\n", 4, "'updated' must be a date"),
    ("---\ntitle: T\nsummary: S\nupdated: 2024-01-01\n---\n\n## A\n\n#### B\n", 9, "heading level jumps from 2 to 4"),
    ("---\ntitle: T\nsummary: S\nupdated: 2024-01-01\n---\n\nText <script>x</script> here.\n", 7, "raw HTML"),
    ("---\ntitle: T\nsummary: S\nupdated: 2024-01-01\n---\n\nSee [this](javascript:alert(1)).\n", 7,
     "link target 'javascript:alert(1)' is not allowed"),
    ("No front matter\n", 1, "must start with YAML front matter"),
])
def test_content_errors_name_file_and_line(project: Project, text: str, line: int, message: str) -> None:
    path = project.root / "content" / "blood-tests.md"
    path.write_text(text, encoding="utf-8")
    proc = project.run("extract", expect=1)
    assert f"content/blood-tests.md:{line}: " in proc.stderr, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_duplicate_slugs_are_refused(project: Project) -> None:
    project.write("content/blood-tests-copy.md", "---\ntitle: Copy\nslug: blood-tests\nsummary: S\n"
                                                 "updated: 2024-01-01\n---\nBody.\n")
    proc = project.run("build", "--no-audio", expect=1)
    assert "content/blood-tests.md:2: duplicate slug 'blood-tests'" in proc.stderr
    assert not (project.root / "site").exists()


def test_invalid_utf8_names_the_line(project: Project) -> None:
    path = project.root / "content" / "blood-tests.md"
    path.write_bytes(path.read_bytes().replace(b"You sit", b"You \xff sit"))
    proc = project.run("extract", expect=1)
    assert re.search(r"content/blood-tests\.md:\d+: is not valid UTF-8", proc.stderr)


@pytest.mark.parametrize(("config", "message"), [
    ('[site]\ntitle = "x"\nlocale = "en"\n', "unknown key 'locale' in [site]"),
    ('[publish]\nlocales = ["en", "../etc"]\n', "'../etc' is not a valid language tag"),
    ('[publish]\nlocales = ["en", "xx-QQ-zzzz"]\n', "is not a language CLDR knows"),
    ('[speech]\nengine = "festival"\n', "unknown engine 'festival'"),
    ('[site\ntitle = 1\n', "invalid TOML"),
    ('[site]\noutput = "../outside"\n', "'output' must stay inside the project folder"),
])
def test_config_errors_are_one_clear_line(project: Project, config: str, message: str) -> None:
    project.write("audio-build.toml", config)
    proc = project.run("build", "--no-audio", expect=1)
    assert message in proc.stderr, proc.stderr
    assert "audio-build.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_parse_document_is_pure_and_keeps_inline_markdown() -> None:
    doc = parse_document("---\ntitle: T\nsummary: S\nupdated: 2024-01-01\n---\n\n- **Bold lead.** Then text\n"
                         "  on two lines.\n  - nested item\n", "content/t.md", "article", "t")
    items = [b for b in doc.body if b.kind == "item"]
    assert items[0].text == "**Bold lead.** Then text on two lines."
    assert items[0].line == 7 and items[1].level == 1 and items[1].line == 9
    assert Path(doc.path).name == "t.md"


_PUNCTUATION_HEAVY = st.text(alphabet=st.sampled_from("ab é.,;:-+=~^#$%@{}()*&]|/'\"?" "0\u00a0\t "), min_size=1,
                             max_size=40)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
                 _PUNCTUATION_HEAVY))
def test_text_without_markup_characters_renders_as_markdown_it_would(text: str) -> None:
    """render_inline skips markdown-it's parse for text none of its inline rules start at: same HTML either way."""
    from audio_build.content import markup

    for parser in (markup.rendering_parser(), markup._xhtml_parser()):  # a new rule would need its characters
        assert tuple(parser.get_active_rules()["inline"]) == markup._INLINE_RULES

    for xhtml in (False, True):
        fast = markup.render_inline(text, "en", sentence_prefix="b", xhtml=xhtml)
        original = markup._NO_MARKUP
        markup._NO_MARKUP = re.compile(r"(?!)")  # never matches: always parse
        try:
            parsed = markup.render_inline(text, "en", sentence_prefix="b", xhtml=xhtml)
        finally:
            markup._NO_MARKUP = original
        assert fast == parsed


_WORDISH = st.text(alphabet=st.sampled_from("aAbBéÉßſKk_1 -.\n線"), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDISH, min_size=1, max_size=3), st.text(alphabet=st.sampled_from("aAbBéÉßſKk_1 -.\n線x"),
                                                          max_size=40))
def test_glossary_words_match_as_whole_words_do(words: list[str], text: str) -> None:
    """word_pattern moves its look-behind past the first letter for speed: it finds what `(?<!\\w)word(?!\\w)`
    finds (and CJK words match anywhere), position for position; _any_word finds a match exactly where one does."""
    from audio_build.content.term_links import _CJK, _any_word, word_pattern

    pattern = word_pattern(words)
    kept = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    if not kept:
        assert pattern is None
        return
    reference = re.compile("|".join(re.escape(w) if _CJK.search(w) else rf"(?<!\w){re.escape(w)}(?!\w)"
                                    for w in kept), re.IGNORECASE)
    assert pattern is not None
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in reference.finditer(text)]
    any_word = _any_word(tuple(words))  # the one search a page asks first, for all its terms' words together
    assert any_word is not None
    for start in range(len(text) + 1):
        found, expected = pattern.search(text, start), reference.search(text, start)
        assert (found and found.span()) == (expected and expected.span())
        assert (any_word.search(text, start) is None) == (expected is None)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.one_of(_WORDISH, st.text(alphabet="線語a", min_size=1, max_size=3)), min_size=1,
                        max_size=2), min_size=1, max_size=4),
       st.text(alphabet=st.sampled_from("aAbBéÉßſKk_1 -.\n線語x"), max_size=40), st.sets(st.integers(0, 3)))
def test_first_glossary_mention_is_found_as_searching_each_term_finds_it(
        terms: list[list[str]], text: str, linked_indexes: set[int]) -> None:
    """Pages ask the one all-terms pattern where a term starts, then each term there: same term, same match
    as searching with every term (the earliest start; the earlier term on a tie)."""
    from audio_build.content.term_links import GlossaryLink, _any_word, _first_mention, word_pattern

    glossary = [GlossaryLink(f"t{i}", pattern, "#", tuple(words)) for i, words in enumerate(terms)
                if (pattern := word_pattern(words)) is not None]
    if not glossary:
        return
    linked = {f"t{i}" for i in linked_indexes}
    any_term = _any_word(tuple(w for entry in glossary for w in entry.words))
    fast, reference = _first_mention(text, glossary, linked, any_term), _first_mention(text, glossary, linked, None)
    assert (fast and (fast[0].slug, fast[1].span())) == (reference and (reference[0].slug, reference[1].span()))
