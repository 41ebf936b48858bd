"""An incremental parser for tags inside a model's text stream.

``<think>…</think>`` (DeepSeek-R1 style) becomes thinking; a configured set of UI tags
(``<card title="Paris">…</card>``) becomes one ``ui`` piece each, with the tag's attributes and inner text,
emitted when the tag closes. Everything else is content. Chunks may split a tag anywhere, down to a single
byte: text that could still turn into a tag is held back until it is decided. UI tags do not nest; an
unclosed UI tag longer than ``max_ui_chars``, or still open at the end, is released as plain content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from privategpt.settings import Settings

THINK = "think"
_ATTRIBUTE = re.compile(r'([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"')
_OPEN_TAG = re.compile(r"<([A-Za-z][\w-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*\"[^\"]*\")*)\s*>")
_MAX_OPEN_TAG_CHARS = 512


@dataclass(frozen=True)
class Content:
    text: str


@dataclass(frozen=True)
class Thinking:
    text: str


@dataclass(frozen=True)
class UiTag:
    tag: str
    attrs: dict[str, str]
    content: str
    raw: str  # the tag as the model wrote it, kept in the stored message


Piece = Content | Thinking | UiTag


@dataclass
class TagParser:
    ui_tags: frozenset[str]
    max_ui_chars: int = 20_000
    _buffer: str = ""
    _inside: str | None = None  # "think", a UI tag name, or None
    _attrs: dict[str, str] = field(default_factory=dict)
    _ui_text: str = ""
    _opening: str = ""

    def feed(self, text: str) -> list[Piece]:
        self._buffer += text
        pieces: list[Piece] = []
        while self._buffer:
            if self._inside is None:
                if not self._outside(pieces):
                    break
            elif not self._within(pieces):
                break
        return _merged(pieces)

    def flush(self) -> list[Piece]:
        """End of stream: release whatever is held back."""
        pieces: list[Piece] = []
        if self._inside == THINK:
            pieces.append(Thinking(self._buffer))
        elif self._inside is not None:
            pieces.append(Content(self._opening + self._ui_text + self._buffer))
        elif self._buffer:
            pieces.append(Content(self._buffer))
        self._buffer, self._inside, self._ui_text, self._opening = "", None, "", ""
        return _merged([p for p in pieces if not isinstance(p, Content | Thinking) or p.text])

    def _outside(self, pieces: list[Piece]) -> bool:
        """Consume text outside any tag; False when the rest must wait for more input."""
        start = self._buffer.find("<")
        if start < 0:
            pieces.append(Content(self._buffer))
            self._buffer = ""
            return True
        if start:
            pieces.append(Content(self._buffer[:start]))
            self._buffer = self._buffer[start:]
        end = self._buffer.find(">")
        if end < 0:
            if len(self._buffer) < _MAX_OPEN_TAG_CHARS and self._could_open(self._buffer):
                return False  # maybe the start of a tag: wait
            pieces.append(Content("<"))
            self._buffer = self._buffer[1:]
            return True
        candidate = self._buffer[: end + 1]
        match = _OPEN_TAG.fullmatch(candidate)
        name = match.group(1) if match else None
        if name == THINK or (name in self.ui_tags and match):
            self._inside = name
            self._opening = candidate
            self._attrs = dict(_ATTRIBUTE.findall(match.group(2))) if match else {}
            self._ui_text = ""
            self._buffer = self._buffer[end + 1 :]
            return True
        pieces.append(Content("<"))
        self._buffer = self._buffer[1:]
        return True

    def _could_open(self, partial: str) -> bool:
        name = re.match(r"<([A-Za-z][\w-]*)?", partial)
        if name is None:
            return partial == "<"
        typed = name.group(1) or ""
        rest = partial[name.end() :]
        names = {THINK, *self.ui_tags}
        if rest:  # name finished; attributes may follow
            return typed in names and bool(
                re.fullmatch(r'(\s+[A-Za-z_][\w:.-]*\s*=\s*"[^"]*"?)*\s*[\w:.-]*=?\s*"?[^"]*', rest)
            )
        return any(n.startswith(typed) for n in names)

    def _within(self, pieces: list[Piece]) -> bool:
        assert self._inside is not None
        closing = f"</{self._inside}>"
        index = self._buffer.find(closing)
        if index >= 0:
            text, self._buffer = self._buffer[:index], self._buffer[index + len(closing) :]
            if self._inside == THINK:
                pieces.append(Thinking(text))
            else:
                inner = self._ui_text + text
                pieces.append(UiTag(self._inside, self._attrs, inner, f"{self._opening}{inner}{closing}"))
            self._inside, self._ui_text, self._opening = None, "", ""
            return True
        # Keep back what may be the start of the closing tag; release the rest.
        keep = _partial_suffix(self._buffer, closing)
        ready, self._buffer = self._buffer[: len(self._buffer) - keep], self._buffer[len(self._buffer) - keep :]
        if self._inside == THINK:
            if ready:
                pieces.append(Thinking(ready))
        else:
            self._ui_text += ready
            if len(self._ui_text) > self.max_ui_chars:  # not a UI block after all: give the text back
                pieces.append(Content(self._opening + self._ui_text))
                self._inside, self._ui_text, self._opening = None, "", ""
                return True
        return False


def _partial_suffix(text: str, token: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``token``."""
    for size in range(min(len(text), len(token) - 1), 0, -1):
        if token.startswith(text[-size:]):
            return size
    return 0


def _merged(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Content | Thinking) and not piece.text:
            continue
        if out and type(out[-1]) is type(piece) and isinstance(piece, Content | Thinking):
            previous = out[-1]
            assert isinstance(previous, Content | Thinking)
            out[-1] = type(piece)(previous.text + piece.text)
        else:
            out.append(piece)
    return out


def parser_for(settings: Settings) -> TagParser:
    return TagParser(frozenset(settings.chat_ui_tags), settings.chat_ui_tag_max_chars)


def split(text: str, settings: Settings) -> tuple[str, str]:
    """Stored content (UI tags kept as written) and thinking, from a whole text that may carry <think> blocks."""
    parser = parser_for(settings)
    content, thinking = [], []
    for piece in [*parser.feed(text), *parser.flush()]:
        if isinstance(piece, Thinking):
            thinking.append(piece.text)
        else:
            content.append(piece.raw if isinstance(piece, UiTag) else piece.text)
    return "".join(content), "".join(thinking)
