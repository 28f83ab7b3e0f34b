"""Handouts benchmark: every printable handout of this project (each published document, each locale, standard
and large print), rendered cold in this process: how many, how big, and how long each takes.

    .venv/bin/python benchmarks/handouts.py [--site-url https://health.example.org/]

Rendering only (WeasyPrint: HTML -> PDF/UA with fonts subset and embedded), from the same localized documents
as the build; the build caches handouts by their inputs, so a rebuild with nothing changed renders none.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from audio_build.config import load_config
from audio_build.content.parse import load_corpus
from audio_build.i18n.extract import SITE_DOMAIN
from audio_build.i18n.interface import Interface
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import load_strings, localize
from audio_build.publish.handouts import HandoutRenderer, HandoutSettings, check_fonts
from audio_build.publish.site import LocaleSite

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-url", default="https://health.example.org/")
    args = parser.parse_args()
    config = load_config(REPO / "audio-build.toml")
    corpus = load_corpus(config.content_dir, config.root)
    settings = HandoutSettings(paper=config.handout_paper, base_url=args.site_url, publisher=config.publisher)
    rows: list[tuple[str, str, bool, int, float]] = []
    started = time.perf_counter()
    for loc in config.locales:
        info = loc.info

        def strings(domain: str, info: LocaleInfo = info) -> dict[tuple[str, str | None], str]:
            return load_strings(config.locales_dir, info, domain) if info.tag != config.source.tag else {}

        docs = {}
        for doc in corpus.documents:
            local = localize(doc, info, config.source, strings(doc.domain), config.publish_threshold)
            if local.published:
                docs[(doc.kind, doc.slug)] = local
        site = LocaleSite(info=info, ui=Interface(strings(SITE_DOMAIN), info.tag, config.source.tag, info.language),
                          docs=docs)
        check_fonts(info)
        renderer = HandoutRenderer(site, {info.tag: site}, config.source, corpus, config.title, settings)
        for (kind, slug), local_doc in sorted(docs.items()):
            for large in (False, True):
                begin = time.perf_counter()
                size = len(renderer.pdf(local_doc, large))
                rows.append((info.tag, f"{kind}/{slug}", large, size, time.perf_counter() - begin))
    total = time.perf_counter() - started
    times = [r[4] for r in rows]
    print(f"# Handouts ({time.strftime('%Y-%m-%d')}, {len(rows)} files, paper {config.handout_paper})\n")
    print("| locale | standard (KB) | large print (KB) | seconds per handout |")
    print("|---|---|---|---|")
    for tag in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == tag]
        standard = "/".join(str(round(r[3] / 1000)) for r in mine if not r[2])
        large_print = "/".join(str(round(r[3] / 1000)) for r in mine if r[2])
        print(f"| {tag} | {standard} | {large_print} | {statistics.median(r[4] for r in mine):.2f} |")
    print(f"\n{len(rows)} handouts in {total:.1f} s (first includes font loading): median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s per handout; sizes "
          f"{min(r[3] for r in rows) / 1000:.0f}-{max(r[3] for r in rows) / 1000:.0f} KB "
          "(article/term per cell)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
