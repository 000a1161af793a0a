"""Reduce the model's HTML documentation to plain text for docstrings.

Paragraphs stay paragraphs, list items become ``- `` bullets, ``<code>`` becomes
```` ``literal`` ````, links keep their text; everything is wrapped to a fixed width so the
output is deterministic and readable.
"""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser

_BLOCKS = {"p", "li", "dt", "dd", "note", "important", "ul", "ol", "dl", "br", "div", "h1", "h2"}


class _Reducer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (bullet prefix, text)
        self._buf: list[str] = []
        self._prefix = ""
        self._label = ""  # "Note: " / "Important: ", put before the next block's text
        self._list_depth = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if not text:
            return  # e.g. the <p> that opens a list item: the bullet waits for its text
        self.blocks.append((self._prefix, self._label + text))
        self._label = ""
        # Later paragraphs of the same list item line up under the first one's text.
        self._prefix = " " * len(self._prefix)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self._list_depth += 1
        elif tag == "li":
            self._prefix = "  " * (self._list_depth - 1) + "- "
        elif tag == "dd":
            self._prefix = "  "
        elif tag == "code":
            self._buf.append("``")
        elif tag == "important":
            self._label = "Important: "
        elif tag == "note":
            self._label = "Note: "

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._buf.append("``")
        if tag in _BLOCKS:
            self._flush()
        if tag in ("li", "dd", "ul", "ol"):
            self._prefix = "  " * max(0, self._list_depth - 1) if tag in ("li", "dd") else ""
        if tag in ("ul", "ol"):
            self._list_depth = max(0, self._list_depth - 1)

    def handle_data(self, data: str) -> None:
        self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(doc: str, width: int = 88) -> str:
    """Plain, wrapped text of an HTML documentation string ("" when there is none)."""
    if not doc:
        return ""
    reducer = _Reducer()
    reducer.feed(doc)  # character references are converted by the parser, once
    reducer.close()
    paragraphs: list[str] = []
    for prefix, text in reducer.blocks:
        text = text.replace("`` ``", " ").replace("````", "")
        indent = " " * len(prefix)
        paragraphs.append(
            textwrap.fill(
                text,
                width=width,
                initial_indent=prefix,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    out: list[str] = []
    for para in paragraphs:
        # Bullets of one list stay together; other blocks are separated by a blank line.
        if out and not (para.lstrip().startswith("- ") and out[-1].lstrip().startswith("- ")):
            out.append("")
        out.append(para)
    return "\n".join(out)
