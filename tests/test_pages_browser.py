"""The generated pages in a real browser: accessible, valid, readable, safe, and working without JavaScript.

One Chromium session is shared by the whole module; the repository's own site (every locale, with audio)
is served from 127.0.0.1 by a tiny HTTP server that understands Range requests (so the audio can seek).
Every page is loaded once and measured once (`page_facts`); the tests below read those measurements.
Screenshots are written to test-artifacts/screenshots/ (not committed) for people to look at.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import REPO, SPANISH, Project, translate

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LOCALES = ["en", "es", "zh-Hans", "vi", "ko", "tl", "ru", "ar", "ht", "fr", "pt-BR"]
RTL = {"ar"}
ARTICLE = "fluoroscopy/index.html"  # the repository's article, in every locale
TERM = "glossary/fluoroscopy/index.html"


# --------------------------------------------------------------------------------------- the server

class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with byte ranges (Chromium seeks audio with Range requests) and no caching."""

    extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".vtt": "text/vtt",
                      ".mp3": "audio/mpeg", ".js": "text/javascript", ".css": "text/css",
                      ".html": "text/html; charset=utf-8", ".epub": "application/epub+zip"}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        status, start, end = 200, 0, len(data) - 1
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if match and (match[1] or match[2]):
            if match[1]:
                start, end = int(match[1]), min(int(match[2]) if match[2] else end, end)
            else:
                start = max(0, len(data) - int(match[2]))
            if start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        self.wfile.write(data[start:end + 1])


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_SiteHandler, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium: Callable[..., Any]) -> Any:
    driver = chromium(1280, 900, ("--hide-scrollbars", "--lang=en-US"))
    driver.set_script_timeout(60)
    driver.set_page_load_timeout(60)
    return driver


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def locale_of(page: str) -> str:
    first = page.split("/")[0]
    return first if first in LOCALES else "en"  # the language chooser at the root is in the source language


# --------------------------------------------------------------------------------- browser helpers

def cdp(driver: Any, command: str, **params: Any) -> Any:
    return driver.execute_cdp_cmd(command, params)


@contextlib.contextmanager
def viewport(driver: Any, width: int, height: int, *, mobile: bool = False) -> Iterator[None]:
    cdp(driver, "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
        mobile=mobile)
    try:
        yield
    finally:
        cdp(driver, "Emulation.clearDeviceMetricsOverride")


@contextlib.contextmanager
def media(driver: Any, media_type: str = "", **features: str) -> Iterator[None]:
    cdp(driver, "Emulation.setEmulatedMedia", media=media_type,
        features=[{"name": k.replace("_", "-"), "value": v} for k, v in features.items()])
    try:
        yield
    finally:
        cdp(driver, "Emulation.setEmulatedMedia", media="", features=[])


def load(driver: Any, url: str) -> None:
    driver.get(url)
    driver.execute_script("return document.fonts ? document.fonts.ready.then(() => true) : true")


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}))))
  .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""

DOM_FACTS = """
const attr = (el, name) => el.getAttribute(name);
return {
  url: location.href,
  lang: attr(document.documentElement, "lang"),
  dir: attr(document.documentElement, "dir"),
  switcher: [...document.querySelectorAll("nav.languages a")].map(a => ({
      lang: attr(a, "lang"), hreflang: attr(a, "hreflang"), text: a.textContent.trim()})),
  references: [...document.querySelectorAll(".references li")].map(li => attr(li, "lang")),
  resources: performance.getEntriesByType("resource").map(e => e.name),
  fetched: [...document.querySelectorAll("[src], link[href], source[srcset], img[srcset]")].map(
      e => e.src || e.href || attr(e, "srcset")),
  scripts: [...document.scripts].map(s => s.src || "inline"),
  noAudio: (document.querySelector(".no-audio") || {}).textContent || "",
  players: document.querySelectorAll("audio").length,
  viewport: (document.querySelector("meta[name=viewport]") || {content: ""}).content,
};
"""


@dataclass
class PageFacts:
    page: str
    locale: str
    violations: list[dict[str, Any]]
    ax_nodes: list[dict[str, Any]]
    dom: dict[str, Any]
    ax_problems: list[str] = field(default_factory=list)


def ax_summary(nodes: list[dict[str, Any]]) -> list[str]:
    """Problems in Chromium's accessibility tree: headings, landmarks, names of links and buttons."""
    problems = []
    live = [n for n in nodes if not n.get("ignored")]

    def role(n: dict[str, Any]) -> str:
        return str(n.get("role", {}).get("value", ""))

    def name(n: dict[str, Any]) -> str:
        return str(n.get("name", {}).get("value", "")).strip()

    def level(n: dict[str, Any]) -> int | None:
        for prop in n.get("properties", []):
            if prop["name"] == "level":
                return int(prop["value"]["value"])
        return None

    h1 = [name(n) for n in live if role(n) == "heading" and level(n) == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} level-1 headings: {h1}")
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        if not any(role(n) == landmark for n in live):
            problems.append(f"no {landmark} landmark")
    for n in live:
        if role(n) in ("link", "button") and not name(n):
            problems.append(f"{role(n)} without a name (DOM node {n.get('backendDOMNodeId')})")
    return problems


@pytest.fixture(scope="module")
def page_facts(browser: Any, base_url: str, built_site: Path) -> dict[str, PageFacts]:
    """Every page of every locale, loaded once: axe-core's violations, the AX tree, DOM facts."""
    axe = AXE.read_text(encoding="utf-8")
    facts: dict[str, PageFacts] = {}
    for page in site_pages(built_site):
        load(browser, base_url + page)
        browser.execute_script(axe)
        violations = browser.execute_async_script(RUN_AXE, AXE_TAGS)
        nodes = cdp(browser, "Accessibility.getFullAXTree")["nodes"]
        dom = browser.execute_script(DOM_FACTS)
        facts[page] = PageFacts(page, locale_of(page), violations, nodes, dom, ax_summary(nodes))
    return facts


# ------------------------------------------------------------------------------------ every page

def test_the_site_has_every_page_of_every_locale(page_facts: dict[str, PageFacts]) -> None:
    for tag in LOCALES:
        for page in (f"{tag}/index.html", f"{tag}/{ARTICLE}", f"{tag}/{TERM}", f"{tag}/glossary/index.html",
                     f"{tag}/pronunciation/index.html"):
            assert page in page_facts, f"{page} was not generated"
    assert "index.html" in page_facts


def test_axe_finds_no_violations_on_any_page(page_facts: dict[str, PageFacts]) -> None:
    report = []
    for page, facts in page_facts.items():
        for v in facts.violations:
            nodes = "\n".join(f"      {n['target']}: {(n['summary'] or '').splitlines()[-1:]}" for n in v["nodes"][:8])
            report.append(f"{page}: {v['id']} ({v['impact']}) {v['help']}\n{nodes}")
    total = sum(len(f.violations) for f in page_facts.values())
    assert not report, f"{total} axe violations on {len(page_facts)} pages:\n" + "\n".join(report)


@pytest.mark.slow
def test_the_nu_html_checker_finds_no_errors(built_site: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("java and node_modules/vnu-jar are installed by `make test`")
    pages = site_pages(built_site)
    proc = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                          cwd=built_site, capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    errors = [f"{m.get('url', '?').rsplit(str(built_site), 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} Nu HTML Checker errors on {len(pages)} pages:\n" + "\n".join(errors)


def test_accessibility_tree_one_h1_landmarks_and_named_controls(page_facts: dict[str, PageFacts]) -> None:
    problems = [f"{page}: {p}" for page, facts in page_facts.items() for p in facts.ax_problems]
    assert not problems, "\n".join(problems)


def test_html_lang_dir_language_switcher_and_references(page_facts: dict[str, PageFacts]) -> None:
    problems = []
    for page, facts in page_facts.items():
        dom, tag = facts.dom, facts.locale
        if dom["lang"] != tag:
            problems.append(f"{page}: <html lang={dom['lang']!r}>, expected {tag!r}")
        if dom["dir"] != ("rtl" if tag in RTL else "ltr"):
            problems.append(f"{page}: <html dir={dom['dir']!r}>")
        for link in dom["switcher"]:
            if not link["lang"] or link["lang"] != link["hreflang"]:
                problems.append(f"{page}: language link {link['text']!r} has lang={link['lang']!r} "
                                f"hreflang={link['hreflang']!r}")
        if page != "index.html" and len(dom["switcher"]) != len(LOCALES):
            problems.append(f"{page}: the language switcher has {len(dom['switcher'])} links")
        if tag != "en" and any(lang != "en" for lang in dom["references"]):
            problems.append(f"{page}: references not marked lang=en: {dom['references']}")
    articles = [page_facts[f"{tag}/{ARTICLE}"] for tag in LOCALES if tag != "en"]
    assert articles and all(f.dom["references"] for f in articles), "translated articles list their references"
    assert not problems, "\n".join(problems)


def test_no_request_leaves_the_local_server(page_facts: dict[str, PageFacts], base_url: str) -> None:
    problems = []
    for page, facts in page_facts.items():
        for url in [facts.dom["url"], *facts.dom["resources"], *facts.dom["fetched"]]:
            if not url.startswith(base_url):
                problems.append(f"{page}: {url}")
    assert not problems, "requests to other hosts:\n" + "\n".join(problems)


def test_tagalog_pages_have_offline_audio(page_facts: dict[str, PageFacts]) -> None:
    """Tagalog used to have no offline voice; now its article plays, like every other language's."""
    for tag in LOCALES:
        dom = page_facts[f"{tag}/{ARTICLE}"].dom
        assert dom["players"] >= 1 and not dom["noAudio"], tag


# ------------------------------------------------------------------------------- keyboard and focus

def test_first_tab_focuses_the_skip_link_and_enter_moves_focus_to_main(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for tag in ("en", "ar"):
        load(browser, base_url + f"{tag}/{ARTICLE}")
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.execute_script("""const a = document.activeElement; const b = a.getBoundingClientRect();
            return {cls: a.className, href: a.getAttribute("href"), top: b.top, bottom: b.bottom, left: b.left,
                    right: b.right, outline: getComputedStyle(a).outlineStyle}""")
        assert focused["cls"] == "skip-link" and focused["href"] == "#main", focused
        assert 0 <= focused["top"] and focused["bottom"] <= 900 and 0 <= focused["left"] and focused["right"] <= 1280, \
            f"the focused skip link is not on screen: {focused}"
        assert focused["outline"] != "none"
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        inside = browser.execute_script(
            "const m = document.querySelector('main'); return m === document.activeElement || "
            "m.contains(document.activeElement)")
        assert inside, f"{tag}: after Enter on the skip link focus is on " + browser.execute_script(
            "return document.activeElement.outerHTML.slice(0, 120)")


def _contrast_js() -> str:
    return """
function rgba(s) { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; }
function lum(c) { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); }
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
function background(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { return c; }
  }
  return rgba(getComputedStyle(document.documentElement).backgroundColor || "rgb(255,255,255)");
}
"""


TEXT_CONTRAST = _contrast_js() + """
const out = [];
for (const el of document.querySelectorAll("body *")) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) { continue; }
  const box = el.getBoundingClientRect(), cs = getComputedStyle(el);
  if (!box.width || !box.height || cs.visibility === "hidden" || el.closest("[hidden], .visually-hidden, .skip-link")) { continue; }
  const fg = rgba(cs.color);
  const r = ratio(fg, background(el));
  out.push({el: el.tagName.toLowerCase() + (el.className ? "." + el.className : ""), text: el.textContent.trim().slice(0, 40),
            ratio: Math.round(r * 100) / 100, color: cs.color, size: parseFloat(cs.fontSize)});
}
return out;
"""


SCHEMES = {"light": {"prefers_color_scheme": "light"}, "dark": {"prefers_color_scheme": "dark"},
           "forced colors": {"forced_colors": "active", "prefers_color_scheme": "dark"}}


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_text_contrast_is_aaa_in_light_dark_and_forced_colors(browser: Any, base_url: str, scheme: str) -> None:
    """Every piece of text, also inside the read-along highlight, is at least 7:1 against its background."""
    problems = []
    checked = 0
    with media(browser, **SCHEMES[scheme]):
        for page in (f"en/{ARTICLE}", f"ar/{ARTICLE}", f"es/{TERM}", "en/glossary/index.html",
                     "en/pronunciation/index.html", "tl/index.html", "index.html"):
            load(browser, base_url + page)
            query = " and ".join(f"({k.replace('_', '-')}: {v})" for k, v in SCHEMES[scheme].items())
            assert browser.execute_script(f"return matchMedia('{query}').matches"), query
            body = browser.execute_script(_contrast_js() + """const p = document.querySelector("main p, main li");
                return ratio(rgba(getComputedStyle(p).color), background(p));""")
            assert body >= 7, f"{page} ({scheme}): main p contrast {body:.2f}"
            for state in ("", "highlighted"):
                if state:  # every sentence as the read-along shows the one being read
                    browser.execute_script("document.querySelectorAll('.s').forEach(s => s.classList.add('reading'))")
                items = browser.execute_script(TEXT_CONTRAST)
                checked += len(items)
                problems += [f"{page} ({scheme}{', ' + state if state else ''}): {i['el']} {i['text']!r} "
                             f"{i['ratio']}:1 ({i['color']})" for i in items if i["ratio"] < 7]
    assert checked > 100
    assert not problems, "text below 7:1 (WCAG AAA):\n" + "\n".join(problems)


def test_every_focusable_element_shows_a_visible_focus_indicator(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    problems = []
    for scheme in ("light", "dark"):
        with media(browser, prefers_color_scheme=scheme):
            load(browser, base_url + f"en/{ARTICLE}")
            count = browser.execute_script(
                "return [...document.querySelectorAll('a[href], button, input, audio[controls], [tabindex]')]"
                ".filter(e => e.tabIndex >= 0 && e.getClientRects().length).length")
            seen = 0
            for _ in range(count):
                ActionChains(browser).send_keys(Keys.TAB).perform()
                seen += 1
                ring = browser.execute_script(_contrast_js() + """
                    const a = document.activeElement;
                    if (!a || a === document.body) { return null; }
                    const cs = getComputedStyle(a);
                    // a player's buttons are in its shadow tree: the player itself shows the ring
                    const fv = a.matches(":focus-visible") || (a.tagName === "AUDIO" && a.matches(":focus-within"));
                    const width = parseFloat(cs.outlineWidth) || 0;
                    const bg = background(a.parentElement || a);
                    return {el: a.tagName + " " + (a.textContent || "").trim().slice(0, 30), fv: fv,
                            style: cs.outlineStyle, width: width,
                            contrast: cs.outlineStyle === "none" ? 0 : ratio(rgba(cs.outlineColor), bg)};""")
                if ring is None:
                    break
                if not ring["fv"] or ring["style"] == "none" or ring["width"] < 2 or ring["contrast"] < 3:
                    problems.append(f"{scheme}: {ring}")
            assert seen > 20
    assert not problems, "focus not clearly visible:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------- layout and type

REFLOW_PAGES = [f"{tag}/{page}" for tag in ("en", "ar", "zh-Hans", "ko")
                for page in (ARTICLE, "glossary/index.html", "pronunciation/index.html", TERM)]

OVERFLOW = """
const de = document.documentElement, cw = de.clientWidth, out = [];
for (const el of document.querySelectorAll("body *")) {
  const b = el.getBoundingClientRect();
  if (b.width && (b.right > cw + 1 || b.left < -1)) { out.push(el.tagName + "." + el.className + " " + Math.round(b.left) + ".." + Math.round(b.right)); }
}
return {scroll: de.scrollWidth, client: cw, culprits: out.slice(0, 5)};
"""


def test_no_horizontal_scrolling_at_320_px_or_at_200_percent_text(browser: Any, base_url: str) -> None:
    problems = []
    with viewport(browser, 320, 800):
        for page in REFLOW_PAGES:
            load(browser, base_url + page)
            r = browser.execute_script(OVERFLOW)
            if r["scroll"] > r["client"]:
                problems.append(f"320px {page}: scrollWidth {r['scroll']} > {r['client']} {r['culprits']}")
    with viewport(browser, 1280, 900):
        for page in REFLOW_PAGES:
            load(browser, base_url + page)
            browser.execute_script("document.documentElement.style.fontSize = '200%'")
            r = browser.execute_script(OVERFLOW)
            if r["scroll"] > r["client"]:
                problems.append(f"200% text {page}: scrollWidth {r['scroll']} > {r['client']} {r['culprits']}")
    assert not problems, "\n".join(problems)


TEXT_SPACING = """
const style = document.createElement("style");
style.textContent = "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;" +
  " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }";
document.head.appendChild(style);
const clipped = [];
for (const el of document.querySelectorAll("body *")) {
  const cs = getComputedStyle(el);
  if (el.closest(".visually-hidden, [hidden]") || !/(hidden|clip)/.test(cs.overflowX + cs.overflowY)) { continue; }
  if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) { clipped.push(el.tagName + "." + el.className); }
}
return clipped;
"""


def test_wcag_text_spacing_loses_nothing_at_320_px(browser: Any, base_url: str) -> None:
    """WCAG 1.4.12: with wider line, letter, word and paragraph spacing nothing is cut off or scrolls sideways."""
    problems = []
    with viewport(browser, 320, 800):
        for tag in ("en", "ar", "zh-Hans", "ko", "vi", "ru"):
            for page in (ARTICLE, TERM, "pronunciation/index.html"):
                load(browser, base_url + f"{tag}/{page}")
                clipped = browser.execute_script(TEXT_SPACING)
                r = browser.execute_script(OVERFLOW)
                if clipped or r["scroll"] > r["client"]:
                    problems.append(f"{tag}/{page}: clipped {clipped}, {r}")
    assert not problems, "\n".join(problems)


def test_zoom_is_not_blocked(page_facts: dict[str, PageFacts]) -> None:
    for page, facts in page_facts.items():
        assert facts.dom["viewport"] == "width=device-width, initial-scale=1", page


READING = """
const out = {small: [], long: []};
for (const el of document.querySelectorAll("main p, main li, main dd, main td, footer p")) {
  if (el.closest("nav") || !el.textContent.trim() || !el.getClientRects().length) { continue; }
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 18) { out.small.push(el.tagName + " " + size + "px " + el.textContent.trim().slice(0, 30)); }
}
for (const p of document.querySelectorAll("main .body p, main .summary p")) {
  const text = p.textContent, probe = document.createElement("span");
  probe.textContent = text; probe.style.whiteSpace = "nowrap"; probe.style.position = "absolute";
  p.appendChild(probe);
  const perChar = probe.getBoundingClientRect().width / text.length;  // this paragraph's average character
  probe.remove();
  const chars = p.clientWidth / perChar;
  if (chars > 75) { out.long.push(Math.round(chars) + " characters a line: " + p.textContent.slice(0, 30)); }
}
return out;
"""


def test_body_text_is_at_least_18px_and_lines_stay_under_75_characters(browser: Any, base_url: str) -> None:
    problems = []
    for page in [f"{tag}/{ARTICLE}" for tag in LOCALES] + [f"en/{TERM}", "en/glossary/index.html",
                                                              "en/pronunciation/index.html", "en/index.html"]:
        load(browser, base_url + page)
        r = browser.execute_script(READING)
        problems += [f"{page}: small text {s}" for s in r["small"]] + [f"{page}: {s}" for s in r["long"]]
    assert not problems, "\n".join(problems)


def test_forced_colors_reduced_motion_and_print_styles(browser: Any, base_url: str) -> None:
    load(browser, base_url + f"en/{ARTICLE}")
    conditions = browser.execute_script("""const out = [];
        for (const sheet of document.styleSheets) { for (const rule of sheet.cssRules) {
          if (rule.media) { out.push(rule.media.mediaText); } } }
        return out;""")
    for needed in ("forced-colors: active", "prefers-reduced-motion: reduce", "print", "prefers-color-scheme: dark"):
        assert any(needed in c for c in conditions), f"no @media ({needed}) styles in {conditions}"

    with media(browser, forced_colors="active"):
        load(browser, base_url + f"en/{ARTICLE}")
        summary_border = browser.execute_script(
            "return getComputedStyle(document.querySelector('.summary')).borderTopStyle")
        assert summary_border != "none", "in forced colors the summary box keeps a visible border"
    with media(browser, prefers_reduced_motion="reduce"):
        load(browser, base_url + f"en/{ARTICLE}")
        motion = browser.execute_script("""const s = document.querySelector('.s');
            return [getComputedStyle(document.documentElement).scrollBehavior, getComputedStyle(s).transitionDuration]""")
        assert motion == ["auto", "0s"], motion
    with media(browser, "print"):
        load(browser, base_url + f"ar/{ARTICLE}")
        printed = browser.execute_script("""const d = s => getComputedStyle(document.querySelector(s)).display;
            return {nav: d('nav.languages'), listen: d('.listen'), skip: d('.skip-link'), main: d('main'),
                    color: getComputedStyle(document.querySelector('main p')).color,
                    bg: getComputedStyle(document.body).backgroundColor}""")
        assert printed["nav"] == printed["listen"] == printed["skip"] == "none", printed
        assert printed["main"] == "block" and printed["color"] == "rgb(0, 0, 0)", printed


# ------------------------------------------------------------------------------ without JavaScript

def test_pages_work_without_javascript(browser: Any, base_url: str) -> None:
    cdp(browser, "Emulation.setScriptExecutionDisabled", value=True)
    try:
        for tag in ("en", "ar"):
            load(browser, base_url + f"{tag}/{ARTICLE}")
            state = browser.execute_script("""const tools = document.querySelector('.player-tools');
                return {ran: typeof window.audioBuildReadAlong !== 'undefined',
                        toolsShown: !!(tools && tools.getClientRects().length),
                        speedButtonsShown: [...document.querySelectorAll('.speeds button')].some(b => b.getClientRects().length),
                        audio: !!document.querySelector('audio#player[controls] source[src]'),
                        audioShown: document.querySelector('audio#player').getClientRects().length > 0,
                        download: !!document.querySelector('a[download][href$=".mp3"]'),
                        chapters: document.querySelectorAll('.chapters a[href^="#"]').length,
                        links: document.querySelectorAll('a[href]').length,
                        sentences: document.querySelectorAll('main .body .s').length,
                        text: document.querySelector('main').innerText.length}""")
            assert not state["ran"], "scripts were not disabled"
            assert not state["toolsShown"] and not state["speedButtonsShown"], \
                f"{tag}: controls that need JavaScript are shown without it: {state}"
            assert state["audio"] and state["audioShown"] and state["download"], state
            assert state["chapters"] >= 5 and state["links"] >= 20 and state["sentences"] >= 30, state
            assert state["text"] > 3000, state
    finally:
        cdp(browser, "Emulation.setScriptExecutionDisabled", value=False)
    load(browser, base_url + f"en/{ARTICLE}")
    assert browser.execute_script("return !document.querySelector('.player-tools').hidden"), \
        "with JavaScript the speed and highlight controls appear"


# ---------------------------------------------------------------------------------------- audio

def test_the_player_loads_and_highlights_the_sentence_being_read(browser: Any, base_url: str) -> None:
    load(browser, base_url + f"en/{ARTICLE}")
    duration = browser.execute_async_script("""const done = arguments[arguments.length - 1];
        const player = document.getElementById('player');
        const timer = setTimeout(() => done(-1), 20000);
        player.addEventListener('loadedmetadata', () => { clearTimeout(timer); done(player.duration); }, {once: true});
        player.addEventListener('error', () => { clearTimeout(timer); done(-2); }, {once: true});
        player.preload = 'metadata'; player.load();""")
    assert duration > 60, f"the English article's audio did not load (duration {duration})"
    spans = browser.execute_script("""return [...document.querySelectorAll('main .body .s[data-begin]')].map(s =>
        [s.id, parseFloat(s.dataset.begin), parseFloat(s.dataset.end)])""")
    assert len(spans) > 30 and all(0 <= b < e <= duration + 0.5 for _, b, e in spans)
    for sid, begin, end in (spans[3], spans[len(spans) // 2], spans[-2]):
        middle = (begin + end) / 2
        result = browser.execute_async_script("""const done = arguments[arguments.length - 1];
            const player = document.getElementById('player');
            const timer = setTimeout(() => done({timeout: true, t: player.currentTime}), 20000);
            // registered after the page's own 'seeked' listener, so this runs once the page has reacted
            player.addEventListener('seeked', () => {
              clearTimeout(timer);
              done({t: player.currentTime,
                    reading: [...document.querySelectorAll('.reading')].map(e => e.id)});
            }, {once: true});
            player.currentTime = arguments[0];""", middle)
        assert abs(result["t"] - middle) < 0.5, f"seeking to {middle:.2f}s failed: {result}"
        assert result["reading"] == [sid], f"at {middle:.2f}s expected only {sid} highlighted: {result}"


# ---------------------------------------------------------------------------------- screenshots

def _capture(browser: Any, path: Path, width: int, full: bool) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight") if full else None
    params: dict[str, Any] = {"format": "png"}
    if full:
        params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
    path.write_bytes(base64.b64decode(cdp(browser, "Page.captureScreenshot", **params)["data"]))


def test_screenshots_of_every_locale_at_desktop_and_phone_sizes(browser: Any, base_url: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, (width, height, mobile) in {"desktop": (1280, 900, False), "phone": (390, 844, True)}.items():
        with viewport(browser, width, height, mobile=mobile):
            for tag in LOCALES:
                load(browser, base_url + f"{tag}/{ARTICLE}")
                _capture(browser, SCREENSHOTS / f"article-{tag}-{name}.png", width, full=False)
                _capture(browser, SCREENSHOTS / f"article-{tag}-{name}-full.png", width, full=True)
                r = browser.execute_script(OVERFLOW)
                if r["scroll"] > r["client"]:
                    problems.append(f"{tag} {name}: {r}")
    shots = list(SCREENSHOTS.glob("article-*.png"))
    assert len(shots) >= 4 * len(LOCALES) and all(p.stat().st_size > 10_000 for p in shots)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------- temporary projects (file://)

def _published(project: Project, *pages: str) -> list[Path]:
    found = [project.site / p for p in pages]
    for path in found:
        assert path.is_file(), f"{path} was not generated: {sorted(project.site.rglob('*.html'))}"
    return found


def test_untranslated_text_is_exposed_in_its_own_language(project: Project, browser: Any) -> None:
    untranslated = "Most people feel only a small sting."
    project.cli("extract")
    project.cli("update")
    translate(project, "es", {k: v for k, v in SPANISH.items() if k != untranslated})
    project.cli("build", "--no-audio")
    (page,) = _published(project, "es/blood-tests/index.html")
    load(browser, page.as_uri())
    assert browser.execute_script("return document.documentElement.lang") == "es"
    cdp(browser, "DOM.getDocument", depth=-1)
    nodes = cdp(browser, "Accessibility.getFullAXTree")["nodes"]

    def lang_of(text: str) -> list[str]:
        """The DOM language of every element whose accessible text node says `text`."""
        langs = []
        for node in nodes:
            if node.get("ignored") or node.get("role", {}).get("value") != "StaticText":
                continue
            if node.get("name", {}).get("value", "").strip() != text or "backendDOMNodeId" not in node:
                continue
            obj = cdp(browser, "DOM.resolveNode", backendNodeId=node["backendDOMNodeId"])["object"]
            value = cdp(browser, "Runtime.callFunctionOn", objectId=obj["objectId"], returnByValue=True,
                        functionDeclaration="function () { const e = this.nodeType === 1 ? this : this.parentElement;"
                                            " return e.closest('[lang]').getAttribute('lang'); }")
            langs.append(value["result"]["value"])
        return langs

    assert lang_of(untranslated) == ["en"], "an untranslated paragraph is announced as English"
    assert lang_of("Skip to main content") == ["en"], "an untranslated interface string is announced as English"
    assert lang_of("Usted se sienta en una silla.") == ["es"]


PWN = "window.__pwned=1"
HOSTILE_CONTENT = {
    # raw HTML, images and links that the source does not have
    "Raw script goes here.": f"<script>{PWN}</script>Aquí va un script.",
    "An image goes here.": f'Aquí va <img src=x onerror="{PWN}"> una imagen.',
    "A javascript link goes here.": f"[Un enlace](javascript:{PWN}) va aquí.",
    "A data link goes here.": f"[Un enlace](data:text/html,<script>{PWN}</script>) va aquí.",
    "A raw link goes here.": f'Un <a href="javascript:{PWN}">enlace</a> va aquí.',
    "A markdown image goes here.": f'![x](x" onerror="{PWN}) Una imagen <javascript:{PWN}> va aquí.',
    # the source has a link; the translation swaps its target
    "Read [about phlebotomy](term:phlebotomy) before the test.": f"Lea [sobre la flebotomía](javascript:{PWN}) antes.",
    "See [MedlinePlus](https://medlineplus.gov/lab-tests/) for more.":
        "Vea [MedlinePlus](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+) para más.",
}
FILLER = {f"Safe sentence number {i}.": f"Frase segura número {i}." for i in range(1, 46)}
HOSTILE_ARTICLE = "\n\n".join([
    "---\ntitle: Before your test\nsummary: Some tests need you to get ready.\nupdated: 2024-05-31\n---",
    *HOSTILE_CONTENT, *FILLER]) + "\n"
HOSTILE = {
    **HOSTILE_CONTENT, **FILLER,
    "Before your test": "Antes de su análisis",
    "Some tests need you to get ready.": "Algunos análisis requieren preparación.",
    # one hostile message in each of the fixture's documents (they stay above the publishing threshold)
    "Most people feel only a small sting.": f"<script>{PWN}</script>La mayoría siente solo un pinchazo.",
    "Phlebotomy is the drawing of blood from a vein.": f'La flebotomía <img src=x onerror="{PWN}">.',
    # interface strings, in text and in attributes
    "Skip to main content": f"<script>{PWN}</script>Saltar al contenido",
    "Glossary": f'<img src=x onerror="{PWN}">Glosario',
    "Home": f"[Inicio](javascript:{PWN})",
    "In short": f'<b onmouseover="{PWN}">En resumen</b>',
    "Languages": f'" onfocus="{PWN}" x="',
    "Main menu": f"'><svg onload=\"{PWN}\">",
    # a format string that reaches into objects, converts and pads (it keeps the {language} placeholder)
    "Audio is not available in {language} yet. You can still read every page.":
        "{language} {language.__class__.__mro__} {language!r} {language:*^30}",
    "Pronunciation guide": f"<iframe src=\"javascript:{PWN}\"></iframe>Guía",
}

SAFETY = """
const bad = [];
for (const el of document.querySelectorAll("*")) {
  for (const a of el.attributes) {
    if (/^on/i.test(a.name)) { bad.push(el.tagName + " has " + a.name); }
    if (/^\\s*(javascript|data|vbscript):/i.test(a.value)) { bad.push(el.tagName + " " + a.name + "=" + a.value.slice(0, 40)); }
  }
}
for (const s of document.scripts) {
  if (!s.src.endsWith("/static/read-along.js")) { bad.push("script " + (s.src || s.textContent.slice(0, 40))); }
}
for (const sel of ["iframe", "object", "embed", "svg", "img", "a[href^='javascript:']", "a[href^='data:']", "b"]) {
  if (document.querySelector(sel)) { bad.push(sel + ": " + document.querySelector(sel).outerHTML.slice(0, 80)); }
}
const text = document.documentElement.textContent;
return {pwned: typeof window.__pwned !== "undefined", bad: bad, title: document.title,
        format: ["__mro__", "<class", "*****", "'Español'"].filter(s => text.includes(s))};
"""


def test_hostile_translations_cannot_run_script(spanish_project: Project, browser: Any) -> None:
    project = spanish_project
    project.write("content/before-your-test.md", HOSTILE_ARTICLE)
    project.cli("extract")
    project.cli("update")
    translate(project, "es", {**SPANISH, **HOSTILE})
    project.cli("build", "--no-audio", expect=None)
    pages = _published(project, "es/blood-tests/index.html", "es/before-your-test/index.html",
                       "es/glossary/phlebotomy/index.html", "es/index.html", "es/glossary/index.html",
                       "es/pronunciation/index.html")
    problems = []
    for page in pages:
        load(browser, page.as_uri())
        browser.execute_script("""for (const el of document.querySelectorAll('*')) {
            for (const t of ['mouseover', 'focus']) { el.dispatchEvent(new Event(t)); } }""")
        r = browser.execute_script(SAFETY)
        if r["pwned"] or r["bad"] or r["format"]:
            problems.append(f"{page.relative_to(project.site)}: {r}")
    assert not problems, "\n".join(problems)
    # the detector itself works: the same markup, put in by a script, is caught
    browser.execute_script(f"""document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="{PWN}">');""")
    browser.execute_script("return new Promise(r => setTimeout(r, 300))")
    caught = browser.execute_script(SAFETY)
    assert caught["pwned"] and any("onerror" in b for b in caught["bad"]), caught
    html = (project.site / "es/before-your-test/index.html").read_text(encoding="utf-8")
    assert "Frase segura número 45." in html, "the safe translations are still used"
    assert "Audio is not available in <span lang=\"es\">Español</span> yet" in html
    for msgid in HOSTILE_CONTENT:
        assert msgid.split("](")[0].split("[")[-1] in html, f"{msgid!r} is shown in English instead"


def test_a_locale_code_that_is_a_path_is_refused(project: Project) -> None:
    config = project.root / "audio-build.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('locales = ["en", "es"]',
                                                                 'locales = ["en", "../x"]'), encoding="utf-8")
    proc = project.run("build", "--no-audio", expect=1)
    output = (proc.stderr + proc.stdout).strip()
    assert len(output.splitlines()) == 1, output
    assert "../x" in output and "Traceback" not in output, output
    assert not (project.root / "x").exists() and not (project.root / "site").exists()
