"""Article pages to text, title and date.

Three extractors, tried in order on one parsed tree: rules for the body containers of the
Vietnamese news CMSs ("vn-rules", which keep the lead/sapo as the first paragraph), then
trafilatura (no network, comments excluded), then the densest block of paragraphs.
"""

from __future__ import annotations

import codecs
import logging
import re
from copy import deepcopy
from datetime import datetime

import charset_normalizer
import trafilatura
from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from monitor.collect.dates import in_page_chrome, page_date
from monitor.records import Extracted
from monitor.text.normalize import normalize_line, normalize_text

__all__ = ["ExtractionError", "decode_bytes", "decode_html", "extract_article", "parse_html"]

log = logging.getLogger(__name__)

MIN_WORDS = 20
_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# WHATWG: a page declared Latin-1 is decoded as windows-1252.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252"}


class ExtractionError(Exception):
    """No meaningful article text could be read from a page."""


# --- bytes to text --------------------------------------------------------------------


def _codec(name: str | None) -> str | None:
    """Python's name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(
    content: bytes, content_type: str = "", declared: str | None = None
) -> tuple[str, str | None]:
    """Decode ``content`` (header charset, then ``declared``, then a guess); return a warning."""
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", "replace"), None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", "replace"), None
    header = _HEADER_CHARSET.search(content_type)
    claimed = header.group(1) if header else declared
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page says: CMS templates
        # often keep a stale Latin-1 declaration after a migration.
        codec = _codec(claimed)
        if codec and codec != "utf-8" and not content.isascii():
            return text, f"declared charset {claimed} but the bytes are UTF-8"
        return text, None
    codec = _codec(claimed)
    if codec:
        return content.decode(codec, "replace"), None
    best = charset_normalizer.from_bytes(content[:65536]).best()
    encoding = best.encoding if best else "cp1252"
    warning = f"no usable charset declared ({claimed or 'none'}); guessed {encoding}"
    return content.decode(encoding, "replace"), warning


def decode_html(content: bytes, content_type: str = "") -> str:
    """Text of an HTML page: charset from the header, then a meta tag, then a guess."""
    head = content[:4096]
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    declared = found.group(1).decode("ascii", "replace") if found else None
    return decode_bytes(content, content_type, declared)[0]


def parse_html(text: str) -> HtmlElement:
    """One lxml tree for the whole page (the same parser settings trafilatura uses)."""
    # Control characters are not allowed in lxml text nodes we later edit.
    text = _XML_DECLARATION.sub("", text, count=1)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    try:
        return document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError(f"unparsable HTML: {error}") from error


# --- rules for Vietnamese news CMSs --------------------------------------------------------

# Body containers, most specific first: (attribute, value), class values match one token.
_BODY_MARKS: tuple[tuple[str, str], ...] = (
    ("class", "fck_detail"),
    ("id", "main-detail-body"),
    ("class", "singular-content"),
    ("class", "detail__content"),
    ("class", "detail-content"),
    ("class", "content-detail"),
    ("class", "cms-body"),
    ("class", "detail-cmain"),
    ("class", "article__body"),
    ("class", "the-article-body"),
    ("class", "article-body"),
    ("class", "content_detail"),
    ("id", "content_detail"),
    ("class", "news-content"),
    ("itemprop", "articleBody"),
    ("class", "entry-content"),
    ("class", "post-content"),
)
_LEAD_MARKS: tuple[tuple[str, str], ...] = (
    ("class", "description"),
    ("class", "sapo"),
    ("class", "detail-sapo"),
    ("class", "singular-sapo"),
    ("class", "article__sapo"),
    ("class", "detail__summary"),
    ("class", "detail-summary"),
    ("class", "cms-desc"),
    ("class", "chapeau"),
    ("class", "lead"),
)


def _marks_xpath(marks: tuple[tuple[str, str], ...]) -> etree.XPath:
    tests = [f"contains(@{attr},'{value}')" for attr, value in marks]
    return etree.XPath("//*[" + " or ".join(tests) + "]")


_BODY_XPATH = _marks_xpath(_BODY_MARKS)
_LEAD_XPATH = _marks_xpath(_LEAD_MARKS)


def _rank(element: HtmlElement, marks: tuple[tuple[str, str], ...]) -> int | None:
    """Position of the first mark ``element`` carries exactly (class token or whole value)."""
    for rank, (attr, value) in enumerate(marks):
        raw = element.get(attr) or ""
        if (raw.split() if attr == "class" else [raw]).count(value):
            return rank
    return None


# Class/id fragments of boxes that are not the article: related links, comments, sharing,
# ads, captions, author boxes. The first list matches anywhere, the second as whole words.
_JUNK_ANYWHERE = re.compile(
    r"relate|lienquan|xemthem|readmore|read-more|comment|binhluan|quangcao|advert"
    r"|adsbygoogle|social|sharing|breadcrumb|newsletter|caption|subscribe|recommend"
)
_JUNK_WORD = re.compile(
    r"(?<![a-z0-9])(?:ads?|qc|tags?|share|author|byline|tacgia|tac-gia|lien-quan|xem-them"
    r"|binh-luan|print|vote|poll|rating|keywords?|banner|box-tag|signature)(?![a-z0-9])"
)
_JUNK_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "form", "button", "select", "textarea", "svg"}
    | {"figcaption", "video", "audio", "object", "embed", "canvas", "template"}
    | {"aside", "nav", "footer", "header"}
)
_MARKER = re.compile(
    r"^(?:>>?\s*)?(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|tin cùng chuyên mục"
    r"|có thể bạn quan tâm|xem tiếp|mời (?:quý )?(?:độc giả|bạn đọc)|video đang được xem)",
    re.I,
)
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "center", "figure", "blockquote", "pre"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd"}
    | {"table", "tr", "br", "hr"}
)
_VIETNAMESE = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


def _is_junk(element: HtmlElement) -> bool:
    if element.tag in _JUNK_TAGS:
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')} {element.get('type', '')}".lower()
    return bool(_JUNK_ANYWHERE.search(marks) or _JUNK_WORD.search(marks))


def _link_density(element: HtmlElement) -> float:
    text = len(element.text_content().strip())
    if not text:
        return 0.0
    return sum(len(a.text_content().strip()) for a in element.iter("a")) / text


def _drop(element: HtmlElement) -> None:
    element.drop_tree()  # keeps the tail text, which belongs to the parent


def _is_boilerplate_block(element: HtmlElement, text: str) -> bool:
    """A "Xem thêm" line or a block made of links (related-article lists)."""
    if len(text) <= 300 and _MARKER.match(normalize_line(text)):
        return True
    if element.tag not in ("ul", "ol", "p", "li", "table", "div") or len(text) > 1500:
        return False
    links = sum(1 for _ in element.iter("a"))
    if not links or (links < 2 and element.tag not in ("p", "li")):
        return False
    return _link_density(element) > 0.8


def _prune(element: HtmlElement) -> None:
    """Remove boxes that are not article text from a copy of the body container."""
    for child in list(element):
        if not isinstance(child.tag, str) or child.getparent() is None:
            continue  # a comment, or a follower already removed
        if _is_junk(child):
            _drop(child)
            continue
        text = child.text_content().strip()
        if _is_boilerplate_block(child, text):
            follower = child.getnext()
            marker = _MARKER.match(normalize_line(text))
            if marker and follower is not None and _link_density(follower) > 0.6:
                _drop(follower)
            _drop(child)
            continue
        _prune(child)


def _drop_signature(root: HtmlElement) -> None:
    """Remove a right-aligned last line of a few words: the author's name, set apart."""
    blocks = [el for el in root.iter("p", "div") if el.text_content().strip()]
    if not blocks:
        return
    last = blocks[-1]
    style = (last.get("style") or "").replace(" ", "").lower()
    aligned = "text-align:right" in style or (last.get("align") or "").lower() == "right"
    if aligned and len(last.text_content().split()) <= 8:
        _drop(last)


def _paragraphs(root: HtmlElement) -> list[str]:
    """Text of ``root`` with one line per block element (mutates ``root``)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag != "br" and element.tag != "hr":
                element.text = "\n" + (element.text or "")
        elif element.tag in ("td", "th"):
            element.tail = " " + (element.tail or "")
    return [line for line in normalize_text(root.text_content()).split("\n") if line]


def _pick(
    tree: HtmlElement, xpath: etree.XPath, marks: tuple[tuple[str, str], ...]
) -> list[HtmlElement]:
    """Elements carrying one of ``marks``, best mark first, outside page chrome."""
    ranked = []
    for position, element in enumerate(xpath(tree)):
        rank = _rank(element, marks)
        if rank is not None and not in_page_chrome(element):
            ranked.append((rank, position, element))
    return [element for _rank_, _pos, element in sorted(ranked, key=lambda item: item[:2])]


def _lead(tree: HtmlElement, body: HtmlElement) -> str:
    """The sapo printed above the body, when the CMS keeps it in its own element."""
    for element in _pick(tree, _LEAD_XPATH, _LEAD_MARKS):
        if element.tag == "meta" or element is body:
            continue
        ancestors = [a for a in element.iterancestors() if a.tag not in ("html", "body")]
        if any(a is body or _is_junk(a) for a in ancestors):
            continue  # inside the body already, or in a related-articles box
        if (element.sourceline or 0) > (body.sourceline or 0):
            continue
        text = normalize_line(element.text_content())
        if len(text.split()) >= 5:
            return text
    return ""


def _vn_rules(tree: HtmlElement) -> str:
    """Body text from a known Vietnamese CMS container, the lead first; "" when none fits."""
    for body in _pick(tree, _BODY_XPATH, _BODY_MARKS):
        copy = deepcopy(body)
        _prune(copy)
        _drop_signature(copy)
        lines = _paragraphs(copy)
        if sum(len(line.split()) for line in lines) < MIN_WORDS:
            continue
        lead = _lead(tree, body)
        if lead and (not lines or normalize_line(lines[0]) != lead):
            lines.insert(0, lead)
        return "\n".join(lines)
    return ""


# --- fallbacks -----------------------------------------------------------------------------


# A table cell holding several paragraphs is page layout (old portals), not a data table:
# trafilatura would flatten the whole cell, menus included, into one "| ... |" row.
_LAYOUT_TABLE = etree.XPath("boolean(//td[count(.//p) >= 2])")


def _trafilatura(tree: HtmlElement, url: str) -> str:
    """trafilatura's main-text extraction on the already parsed tree (it works on a copy)."""
    # fast=True skips trafilatura's own readability/jusText backups: on the English
    # benchmark it scores the same as the full mode at about half the time, and the
    # density fallback below covers pages it misses.
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        include_comments=False,
        include_tables=not _LAYOUT_TABLE(tree),
        with_metadata=False,
    )
    if document is None:
        return ""
    return normalize_text(getattr(document, "text", None) or "")


def _density(tree: HtmlElement) -> str:
    """Paragraphs of the element whose direct <p> children hold the most non-link text."""
    scores: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is None or any(a.tag in _JUNK_TAGS for a in paragraph.iterancestors()):
            continue
        size = len(paragraph.text_content().strip()) * (1.0 - _link_density(paragraph))
        scores[parent] = scores.get(parent, 0) + int(size)
    if not scores:
        return ""
    best = max(scores, key=lambda element: scores[element])
    texts = (normalize_line(p.text_content()) for p in best.iterchildren("p"))
    return "\n".join(text for text in texts if text)


# --- page metadata ---------------------------------------------------------------------------

_TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{2,40}$")


def _title(tree: HtmlElement) -> str | None:
    """Headline: the first real <h1>, else og:title, else <title> without the site name."""
    for heading in tree.iter("h1"):
        text = normalize_line(heading.text_content())
        if len(text.split()) >= 3 and not in_page_chrome(heading):
            return text  # a site logo in an <h1> sits in the page header
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:title":
            text = normalize_line(meta.get("content"))
            if text:
                return text
    element = tree.find(".//title")
    if element is not None:
        text = normalize_line(element.text_content())
        return _TITLE_SUFFIX.sub("", text) or text or None
    return None


def _is_vietnamese(tree: HtmlElement) -> bool:
    """The vn-rules are meant for Vietnamese pages: html lang, else the <title> letters."""
    lang = (tree.get("lang") or "").lower()
    if lang:
        return lang.startswith("vi")
    element = tree.find(".//title")
    return element is not None and bool(_VIETNAMESE.search(element.text_content() or ""))


def extract_article(
    content: bytes, *, url: str, content_type: str = "", now: datetime | None = None
) -> Extracted:
    """Main text, title and publication date of an article page."""
    text = decode_html(content, content_type)
    if not text.strip():
        raise ExtractionError(f"empty page: {url}")
    tree = parse_html(text)
    body, method = "", ""
    if _is_vietnamese(tree):
        body, method = _vn_rules(tree), "vn-rules"
    if len(body.split()) < MIN_WORDS:
        body, method = _trafilatura(tree, url), "trafilatura"
    if len(body.split()) < MIN_WORDS:
        body, method = _density(tree), "density"
    if len(body.split()) < MIN_WORDS:
        raise ExtractionError(f"no article text found (fewer than {MIN_WORDS} words): {url}")
    published_at, date_source = page_date(tree, now)
    log.debug("extracted url=%s method=%s words=%d", url, method, len(body.split()))
    return Extracted(
        text=body,
        title=_title(tree),
        published_at=published_at,
        date_source=date_source,
        method=method,
    )
