"""A small, documented English tokenizer for movie reviews (replaces torchtext's ``tokenize='spacy'``).

The rules, applied in this order:

1. **Invisible characters never become tokens.** Control characters (Unicode category ``Cc``:
   NUL, ESC, and the C1 codes such as ``\x96`` that IMDB reviews carry where a Windows dash was
   meant) separate tokens like a space. Format characters (``Cf``: zero-width space and joiners
   U+200B–U+200D, the byte-order mark U+FEFF, the word joiner U+2060, soft hyphens) are removed, so
   one inside a word leaves the word whole.
2. **HTML line breaks.** IMDB reviews contain ``<br />`` (also written ``<br/>``, ``<br>``, any case);
   each becomes a space. No other HTML is touched.
3. **Lower-casing** of the whole text (GloVe 6B is lower-cased too).
4. **Apostrophes.** Curly apostrophes ``’`` become ``'``. The negation clitic is split off the way the
   Penn Treebank and GloVe do it: ``don't`` → ``do n't``, ``isn't`` → ``is n't``, ``can't`` → ``ca n't``.
   The clitics ``'s 're 've 'll 'd 'm`` are split too: ``it's`` → ``it 's``.
5. **Words** are runs of letters and digits (any script), joined by inner hyphens or apostrophes:
   ``well-made``, ``o'brien`` and ``7`` stay whole.
6. **Punctuation**: every other non-space character is a token on its own, so ``!!!`` gives three
   ``!`` tokens and ``7/10`` gives ``7``, ``/``, ``10``.

Whitespace only separates tokens. The tokenizer never returns empty strings.
"""

from __future__ import annotations

import re
import unicodedata

BR_TAG = re.compile(r"<br\s*/?\s*>", re.IGNORECASE)
NEGATION = re.compile(r"(\w)n't\b")
CLITIC = re.compile(r"(\w)'(s|re|ve|ll|d|m)\b")
TOKEN = re.compile(r"n't|'(?:s|re|ve|ll|d|m)\b|[^\W_]+(?:[-'][^\W_]+)*|[^\s]")


def _drop_invisible(text: str) -> str:
    """``text`` with control characters (``Cc``) as spaces and format characters (``Cf``) removed."""
    if text.isprintable():  # the common case, checked in C
        return text
    replace = {"Cc": " ", "Cf": ""}
    return "".join(c if c.isspace() else replace.get(unicodedata.category(c), c) for c in text)


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-case tokens by the rules of the module docstring.

    >>> tokenize("It isn't GOOD.<br /><br />Really!")
    ['it', 'is', "n't", 'good', '.', 'really', '!']
    """
    if not isinstance(text, str):
        hint = " (decode it first, e.g. text.decode('utf-8'))" if isinstance(text, bytes) else ""
        raise TypeError(f"expected a str to tokenize, got {type(text).__name__}{hint}")
    text = BR_TAG.sub(" ", _drop_invisible(text)).lower().replace("\u2019", "'")
    text = NEGATION.sub(r"\1 n't", text)
    text = CLITIC.sub(r"\1 '\2", text)
    return TOKEN.findall(text)
