"""WXR's XML, written as it streams, by an XML writer: well-formed by construction.

``WxrStream`` wraps lxml's incremental writer (``etree.xmlfile``): elements are opened and
closed by it, text is escaped by it, and every text value goes in CDATA sections it writes
(``etree.CDATA``), so no value can break the markup and nothing needs to be parsed again to
prove it. Memory stays flat: each item is written as soon as it is rendered.

The layout is WordPress's own export's: one element per line, two spaces per level; an
author, a term, a postmeta or a comment on a single line (the importer's legacy regex reader
only sees single-line ``<wp:author>``). Three constant pieces are written as bytes around
lxml's output, because lxml cannot write them the way WordPress does (and the files this
writer replaced did): the XML declaration in double quotes (lxml writes single quotes), the
``<rss>`` start tag with ``version`` first and one namespace declaration per line (lxml writes
the declarations first, sorted, on one line), and the newline after ``</rss>`` (lxml writes
nothing after the root). For the start tag, lxml opens the root itself (so it knows the
prefixes of every element inside) and its own spelling of the tag is set aside, after a check
that it declares exactly the same element, attribute and namespaces.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from typing import IO

from lxml import etree

__all__ = ["NAMESPACES", "Field", "Plain", "WxrStream", "cdata", "cdata_sections", "xml_safe"]

NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
ROOT_ATTRIBUTES = {"version": "2.0"}
ROOT_START = ('<rss version="2.0"\n'
              + "\n".join(f'  xmlns:{p}="{uri}"' for p, uri in NAMESPACES.items())
              + ">").encode()
"""The ``<rss>`` start tag as WordPress writes it."""
INDENT = "  "

_ILLEGAL_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    """``text`` without the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/F)."""
    return _ILLEGAL_XML_CHARS.sub("", text or "")


def cdata_sections(text: str | None) -> list[str]:
    """``text`` (made ``xml_safe``) as the contents of consecutive CDATA sections: ``]]>`` is
    split across two, as WordPress core does (``a]]>b`` → ``a]]`` and ``>b``)."""
    parts = xml_safe(text).split("]]>")
    last = len(parts) - 1
    return [(">" if i else "") + part + ("]]" if i < last else "") for i, part in enumerate(parts)]


def cdata(text: str | None) -> str:
    """The markup ``WxrStream`` writes for a text value: its CDATA sections."""
    return "".join(f"<![CDATA[{section}]]>" for section in cdata_sections(text))


@dataclass(frozen=True, slots=True)
class Plain:
    """A value written as escaped text, not CDATA (``<wp:wxr_version>1.2</…>``)."""

    text: str


Content = str | int | Plain | list["Field"] | None


@dataclass(frozen=True, slots=True)
class Field:
    """One element: ``tag`` (with its WXR prefix: ``wp:post_id``), then its content: text
    (CDATA), a number, nothing (``<description></description>``), ``Plain`` text or child
    fields (written on the same line)."""

    tag: str
    content: Content
    attributes: tuple[tuple[str, str], ...] = ()


@cache
def _qualified(tag: str) -> str:
    """``wp:post_id`` → ``{http://wordpress.org/export/1.2/}post_id`` (lxml's spelling)."""
    prefix, colon, local = tag.partition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}" if colon else tag


class _RootAside:
    """The file lxml writes to: what it writes before ``open`` is set aside (its ``<rss>``
    start tag, replaced by ``ROOT_START``)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.aside = b""
        self.open = False

    def write(self, data: bytes, /) -> int:
        if self.open:
            self.handle.write(data)
        else:
            self.aside += data
        return len(data)


def _same_root(start_tag: bytes) -> bool:
    """True when lxml's start tag declares what ``ROOT_START`` declares."""
    root = etree.fromstring(start_tag + b"</rss>")
    return root.tag == "rss" and dict(root.attrib) == ROOT_ATTRIBUTES and (
        dict(root.nsmap) == NAMESPACES)


class WxrStream:
    """A WXR document being written into ``handle`` (a binary file): the ``<rss>`` root and its
    ``<channel>`` are open until ``close``."""

    def __init__(self, handle: IO[bytes]) -> None:
        handle.write(DECLARATION + ROOT_START)
        self._handle = handle
        self._open = ExitStack()
        sink = _RootAside(handle)
        self._xf = self._open.enter_context(etree.xmlfile(sink, encoding="utf-8"))
        self._open.enter_context(self._xf.element("rss", ROOT_ATTRIBUTES, nsmap=NAMESPACES))
        self._xf.flush()
        if not _same_root(sink.aside):
            raise ValueError(f"lxml wrote an unexpected root: {sink.aside[:300]!r}")
        sink.open = True
        self._xf.write("\n")
        self._open.callback(self._xf.write, "\n")  # between </channel> and </rss>
        self._open.enter_context(self._xf.element("channel"))
        self._xf.write("\n")

    def line(self, field: Field, depth: int = 1) -> None:
        """``field`` on a line of its own, ``depth`` levels in."""
        self._xf.write(INDENT * depth)
        self._write(field)
        self._xf.write("\n")

    def item(self, fields: list[Field]) -> None:
        """An ``<item>`` of the channel: one field per line."""
        self._xf.write(INDENT)
        with self._xf.element("item"):
            self._xf.write("\n")
            for field in fields:
                self.line(field, 2)
            self._xf.write(INDENT)
        self._xf.write("\n")

    def _write(self, field: Field) -> None:
        with self._xf.element(_qualified(field.tag), dict(field.attributes)):
            content = field.content
            if isinstance(content, str):
                for section in cdata_sections(content):
                    self._xf.write(etree.CDATA(section))
            elif isinstance(content, Plain):
                self._xf.write(content.text)
            elif isinstance(content, int):
                self._xf.write(str(content))
            elif content is not None:
                for child in content:
                    self._write(child)

    def close(self) -> None:
        """Close ``<channel>`` and ``<rss>`` (the handle stays open: it is the caller's)."""
        self._open.close()
        self._handle.write(b"\n")

    def abandon(self) -> None:
        """Stop after a failure (the caller removes the file): lxml lets go of the handle."""
        try:
            self._open.close()
        except Exception:  # noqa: BLE001 - the failure that led here is the one reported
            pass
