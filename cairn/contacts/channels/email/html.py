"""HTML email bodies as plain text, with the standard library's tolerant parser.

No regular expressions over markup: ``html.parser`` tokenises, this keeps the
text, drops what is never shown (scripts, styles, the head), and turns block
elements into line breaks. Entities are decoded by the parser.
"""

from html.parser import HTMLParser

HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})
BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul",
    }
)  # fmt: skip


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in HIDDEN:
            self.hidden_depth += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document: one paragraph per line, spaces collapsed."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    text_lines: list[str] = []
    for line in lines:
        if line or (text_lines and text_lines[-1]):
            text_lines.append(line)
    return "\n".join(text_lines).strip()
