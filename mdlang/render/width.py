"""Display width of text on a terminal, so that Unicode labels (kjønn, Årstad) line up.

Python's ``len`` counts code points; a terminal counts cells. Combining marks (a decomposed
``ø``) take no cell and East Asian wide characters take two.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """The number of terminal cells ``text`` occupies (one line, no control characters)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad_left(text: str, width: int) -> str:
    """Right-align ``text`` in ``width`` cells (numbers, markers, Stata-style stub labels)."""
    return " " * max(width - display_width(text), 0) + text


def pad_right(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` cells."""
    return text + " " * max(width - display_width(text), 0)


def center(text: str, width: int) -> str:
    """Centre ``text`` in ``width`` cells (the extra cell, if any, goes to the right)."""
    free = max(width - display_width(text), 0)
    left = free // 2
    return " " * left + text + " " * (free - left)
