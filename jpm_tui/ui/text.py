"""Untrusted text -> safe terminal text.

Every string that comes from the API (summaries, names, notes, addresses, custom fields, raw payloads) passes
through here before it is drawn. Two dangers:

* markup: Textual and Rich interpret ``[bold red]`` in strings handed to most widgets. ``plain()`` returns a
  ``rich.text.Text`` built with ``Text(value)``, which is never parsed for markup.
* terminal control: ESC/CSI/OSC/DCS sequences and C0/C1 control characters could move the cursor, retitle the
  window, write the clipboard (OSC 52) or hide text. ``clean()`` removes escape sequences whole and drops the
  remaining control characters (tab becomes a space; newline survives only when ``multiline`` is asked for).
"""

from __future__ import annotations

import re
from typing import Any

from rich.style import Style
from rich.text import Text

__all__ = ["clean", "plain"]

# Escape sequences, removed whole (ECMA-48):
#   CSI  ESC [ params intermediates final   (also the 8-bit form 0x9B)
#   OSC/DCS/SOS/PM/APC  ESC ] P X ^ _ ... terminated by BEL or ST (ESC \ or 0x9C), or unterminated to the end
#   any other two-character escape  ESC <0x20-0x7E>
_ESCAPES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?      # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|\Z)   # string controls
    | \x1b [\x20-\x7e]?                                           # two-character escapes, lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except TAB/LF, DEL, C1 controls, and bidirectional overrides/isolates (they reorder what the
# reader sees without changing what is stored).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")


def clean(value: Any, *, multiline: bool = False) -> str:
    """Return ``value`` as a string that is safe to draw: no escape sequences, no control characters.

    ``None`` becomes ``""``; other non-strings go through ``str()``. Newlines are kept when ``multiline`` is
    true (CR LF and lone CR become LF), otherwise every line break becomes a single space.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():  # nothing to remove (most text; the job list cleans ~400 a frame)
        return text
    text = _NEWLINES.sub("\n", text)
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    text = text.replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    return text


def plain(value: Any, style: str | Style = "", *, multiline: bool = False) -> Text:
    """A ``rich.text.Text`` holding ``clean(value)`` literally (markup is never interpreted)."""
    return Text(clean(value, multiline=multiline), style=style, end="")
