"""Parsing source files: Markdown with YAML front matter -> `Document`, every error naming FILE:LINE."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from audio_build.content.model import (
    ARTICLE,
    ARTICLE_FIELDS,
    ARTICLE_KEYS,
    RESERVED_IDS,
    RESERVED_SLUGS,
    SLUG_PATTERN,
    TERM,
    TERM_FIELDS,
    TERM_KEYS,
    Block,
    Corpus,
    Document,
    Reference,
)
from audio_build.errors import ContentError

# --------------------------------------------------------------------------------------------- parsing

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # One per process (building it costs more than parsing a page). html=True and no link validation only so raw HTML and every link show up as tokens we can check
    # and refuse with a clear message; rendering uses its own safe parser.
    parser = MarkdownIt("commonmark", {"html": True})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def slugify(text: str) -> str:
    """ASCII id from heading text: stable across locales, so #anchors match in every language."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"[*_`\[\]()]", "", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "section"


def read_source(path: Path, shown: str | None = None) -> str:
    """The file's text; `shown` is how error messages name it (relative to the project)."""
    name = shown or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror}", name) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ContentError("contains a NUL byte (is this a binary file?)", name, line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError("is not valid UTF-8", name, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Split and parse front matter; return (data, line of each key, body, body's first line number)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ContentError("must start with YAML front matter between '---' lines", path, 1)
    raw = match.group(1) or ""
    loader = _YAML_LOADER(raw)
    try:
        node = loader.get_single_node()  # parsed once: the node gives key lines, then the data
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(f"invalid YAML front matter: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"invalid YAML front matter: {exc}", path, 2) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError("front matter must be a mapping of keys to values", path, 2)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 2
    body_start = text.count("\n", 0, match.end()) + 1
    return data, lines, text[match.end():], body_start


def _inline_text(token: Token) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", " ", token.content).strip()


_ALLOWED_LINK = re.compile(r"^(?:https?://|mailto:|tel:|#|article:|term:)", re.IGNORECASE)


def _check_inline(token: Token, path: str, line: int) -> None:
    for child in token.children or []:
        if child.type == "html_inline":
            raise ContentError(f"raw HTML is not allowed in content ({child.content.strip()}); use Markdown",
                               path, line)
        if child.type == "image":
            raise ContentError("images are not supported in articles yet", path, line)
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not _ALLOWED_LINK.match(href):
                raise ContentError(
                    f"link target '{href}' is not allowed: use https://..., mailto:, tel:, "
                    "article:<slug> or term:<slug>", path, line)


def _body_blocks(body: str, body_start: int, path: str) -> tuple[Block, ...]:
    tokens = _parser().parse(body)
    blocks: list[Block] = []
    used_ids: set[str] = set(RESERVED_IDS)
    section = "intro"
    counters: dict[str, int] = {}
    last_level = 1
    list_stack: list[tuple[str, bool]] = []
    list_count = 0
    in_item = 0
    item_paragraphs = 0

    def unique(base: str) -> str:
        candidate, n = base, 2
        while candidate in used_ids:
            candidate, n = f"{base}-{n}", n + 1
        used_ids.add(candidate)
        return candidate

    def next_id(kind: str) -> str:
        key = f"{section}-{kind}"
        counters[key] = counters.get(key, 0) + 1
        return unique(f"{section}-{kind}{counters[key]}")

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = body_start + (tok.map[0] if tok.map else 0)
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            inline = tokens[i + 1]
            if level == 1:
                raise ContentError("use the 'title' key for the title; headings in the body start at ##", path, line)
            if level > last_level + 1:
                raise ContentError(f"heading level jumps from {last_level} to {level} (use ## then ### ...)",
                                   path, line)
            text = _inline_text(inline)
            if not text:
                raise ContentError("empty heading", path, line)
            _check_inline(inline, path, line)
            last_level = level
            section = unique(slugify(text))
            blocks.append(Block(id=section, kind="heading", text=text, line=line, level=level))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_count += 1
            list_stack.append((f"list{list_count}", tok.type == "ordered_list_open"))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif tok.type == "list_item_open":
            in_item += 1
            item_paragraphs = 0
        elif tok.type == "list_item_close":
            in_item -= 1
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            text = _inline_text(inline)
            _check_inline(inline, path, line)
            if list_stack and in_item:
                item_paragraphs += 1
                if item_paragraphs > 1:
                    raise ContentError("a list item may hold only one paragraph", path, line)
                group, ordered = list_stack[-1]
                blocks.append(Block(id=next_id("i"), kind="item", text=text, line=line,
                                    level=len(list_stack) - 1, group=group, ordered=ordered))
            else:
                blocks.append(Block(id=next_id("p"), kind="paragraph", text=text, line=line))
            i += 3
            continue
        elif tok.type == "html_block":
            raise ContentError("raw HTML is not allowed in content; use Markdown", path, line)
        elif tok.type in ("fence", "code_block"):
            raise ContentError("code blocks are not supported in health articles", path, line)
        elif tok.type == "blockquote_open":
            raise ContentError("block quotes are not supported; use a paragraph", path, line)
        elif tok.type == "hr":
            pass  # a thematic break carries no words
        elif tok.type in ("inline",):
            raise ContentError("unexpected text", path, line)
        i += 1
    return tuple(blocks)


def _string(data: dict[str, Any], key: str, path: str, lines: dict[str, int], required: bool) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ContentError(f"missing required key '{key}'", path, lines.get(key, 1))
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ContentError(f"'{key}' must be text", path, lines.get(key, 1))
    return " ".join(value.split())


def _slug_list(data: dict[str, Any], key: str, path: str, lines: dict[str, int]) -> tuple[str, ...]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and SLUG_PATTERN.match(v) for v in value):
        raise ContentError(f"'{key}' must be a list of slugs (lowercase letters, digits, hyphens)",
                           path, lines.get(key, 1))
    return tuple(value)


def _references(data: dict[str, Any], path: str, lines: dict[str, int]) -> tuple[Reference, ...]:
    value = data.get("references") or []
    if not isinstance(value, list):
        raise ContentError("'references' must be a list", path, lines.get("references", 1))
    refs = []
    for item in value:
        if isinstance(item, str):
            refs.append(Reference(text=" ".join(item.split())))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            unknown = set(item) - {"text", "url", "lang"}
            url = item.get("url")
            if unknown or (url is not None and not (isinstance(url, str) and re.match(r"^https?://", url))):
                raise ContentError("a reference is text or {text, url (https://...), lang}",
                                   path, lines.get("references", 1))
            refs.append(Reference(text=" ".join(item["text"].split()), url=url, lang=str(item.get("lang", "en"))))
        else:
            raise ContentError("a reference is text or {text, url, lang}", path, lines.get("references", 1))
    return tuple(refs)


def _date(data: dict[str, Any], path: str, lines: dict[str, int]) -> dt.date:
    value = data.get("updated")
    if value is None:
        raise ContentError("missing required key 'updated' (YYYY-MM-DD)", path, 1)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"'updated' must be a date like 2024-05-31, not '{value}'", path,
                           lines.get("updated", 1)) from None


def parse_document(text: str, path: str, kind: str, default_slug: str) -> Document:
    """Parse one source file. Pure: `path` is only used to name the file in messages and locations."""
    data, lines, body, body_start = _front_matter(text, path)
    known = ARTICLE_KEYS if kind == ARTICLE else TERM_KEYS
    for key in data:
        if key not in known:
            hint = ", ".join(known)
            raise ContentError(f"unknown key '{key}' (known keys: {hint})", path, lines.get(str(key), 1))
    slug = _string(data, "slug", path, lines, required=False) or default_slug
    if not SLUG_PATTERN.match(slug):
        raise ContentError(f"slug '{slug}' must be lowercase letters, digits and hyphens", path,
                           lines.get("slug", 1))
    if kind == ARTICLE and slug in RESERVED_SLUGS:
        raise ContentError(f"slug '{slug}' is reserved for the site's own pages", path, lines.get("slug", 1))
    title_key = "title" if kind == ARTICLE else "term"
    title = _string(data, title_key, path, lines, required=True)
    assert title is not None
    if kind == TERM:
        for key in ("respelling", "definition"):
            _string(data, key, path, lines, required=True)
    summary = _string(data, "summary", path, lines, required=(kind == ARTICLE))
    if summary is None:
        summary = _string(data, "definition", path, lines, required=True)
    assert summary is not None
    updated = _date(data, path, lines)

    fields = []
    for name in (ARTICLE_FIELDS if kind == ARTICLE else TERM_FIELDS):
        value = _string(data, name, path, lines, required=False)
        if name == "link_words" and value is None:
            value = title
        if value is not None:
            fields.append(Block(id=name.replace("_", "-"), kind="field", text=value,
                                line=lines.get(name, lines.get(title_key, 1)), name=name))

    source_hash = hashlib.sha256(text.encode()).hexdigest()
    return Document(
        slug=slug,
        kind=kind,
        path=path,
        title=Block(id="title", kind="title", text=title, line=lines.get(title_key, 1)),
        summary=Block(id="summary", kind="summary", text=summary,
                      line=lines.get("summary", lines.get("definition", 1))),
        fields=tuple(fields),
        body=_body_blocks(body, body_start, path),
        updated=updated,
        references=_references(data, path, lines),
        related_terms=_slug_list(data, "related_terms", path, lines),
        related_articles=_slug_list(data, "related_articles", path, lines),
        source_hash=source_hash,
    )


def _source_files(content_dir: Path) -> Iterator[tuple[Path, str]]:
    if not content_dir.is_dir():
        raise ContentError("content folder not found", content_dir)
    for path in sorted(content_dir.glob("*.md")):
        yield path, ARTICLE
    terms = content_dir / "terms"
    if terms.is_dir():
        for path in sorted(terms.glob("*.md")):
            yield path, TERM


def load_corpus(content_dir: Path, root: Path) -> Corpus:
    """Read every source file; names the file and line of the first problem found."""
    articles: list[Document] = []
    terms: list[Document] = []
    seen: dict[tuple[str, str], str] = {}
    for path, kind in _source_files(content_dir):
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        doc = parse_document(read_source(path, rel), rel, kind, path.stem)
        key = (kind, doc.slug)
        if key in seen:
            raise ContentError(f"duplicate slug '{doc.slug}' (also used by {seen[key]})", rel, doc.title.line)
        seen[key] = rel
        (articles if kind == ARTICLE else terms).append(doc)
    corpus = Corpus(articles=tuple(sorted(articles, key=lambda a: a.slug)),
                    terms=tuple(sorted(terms, key=lambda a: a.slug)), root=root)
    _check_links(corpus)
    return corpus


def _check_links(corpus: Corpus) -> None:
    article_slugs = {a.slug for a in corpus.articles}
    term_slugs = {t.slug for t in corpus.terms}
    for doc in corpus.documents:
        for slug in doc.related_articles:
            if slug not in article_slugs:
                raise ContentError(f"related article '{slug}' does not exist", doc.path, doc.title.line)
        for slug in doc.related_terms:
            if slug not in term_slugs:
                raise ContentError(f"related term '{slug}' does not exist", doc.path, doc.title.line)
        for block in doc.blocks:
            for scheme, slug in re.findall(r"\]\((article|term):([^)\s]+)\)", block.text):
                if slug not in (article_slugs if scheme == "article" else term_slugs):
                    raise ContentError(f"link to missing {scheme} '{slug}'", doc.path, block.line)
