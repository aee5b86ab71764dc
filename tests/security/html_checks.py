"""Is a piece of HTML inert? No element that runs code, no event handler, no script URL.

The HTML is parsed (html.parser decodes character references in attribute values, as a browser
does), so an encoded `&#106;avascript:` is caught, while the text of a harmless attribute (a
link title that merely says "onmouseover=") is not mistaken for one.
"""

import re
from html.parser import HTMLParser

# Elements that run code, load other documents or change where the page's links and forms go.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "style",
    "base",
    "form",
    "meta",
    "link",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "srcset",
    "data",
    "lowsrc",
    "dynsrc",
}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# What a browser's URL parser ignores (WHATWG URL standard): C0 controls and spaces at either
# end, and tabs and newlines anywhere. "java\tscript:" is a javascript: URL; "java script:" is
# a relative one.
_EDGES = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def _as_browser_reads(url: str) -> str:
    return _TAB_OR_NEWLINE.sub("", url.strip(_EDGES)).lower()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and _as_browser_reads(value or "").startswith(SCRIPT_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def dangers(html: str) -> list[str]:
    """What in this HTML could run code, as readable notes (empty when it is inert)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    lowered = html.lower()
    for raw in ("<script", "<iframe", "<object", "<embed", "<svg"):
        if raw in lowered:
            collector.problems.append(f"raw {raw}")
    return collector.problems


def assert_inert(html: str, where: str = ""):
    found = dangers(html)
    assert not found, f"executable content survived{f' in {where}' if where else ''}: {found}"
