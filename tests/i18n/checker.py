"""Finds English interface text in a page meant for another language.

The English words of the interface are the message ids of the language's catalogue. A page passes when no
text a person reads or hears (text nodes, and the labels screen readers announce) holds a message id, or a
literal stretch of one between its placeholders, that the catalogue translates differently. Words the
translation keeps as they are ("PDF (A4)", "Borg", an instrument's name) are not English-only, so they pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings

# Placeholders and markup split a message into the literal stretches a page shows verbatim.
_SPLIT = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_]+\}|<[^>]+>")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Attributes whose values are read out or shown.
_READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
_SKIPPED_ELEMENTS = {"script", "style", "textarea"}


def _normal(text: str) -> str:
    return " ".join(text.split())


def _stripped(text: str) -> str:
    return _normal(text).strip(" .,:;·()—–-?¿!¡")


@dataclass(frozen=True)
class EnglishWords:
    phrases: tuple[str, ...]  # literal stretches of two words or more: found anywhere in a text
    words: frozenset[str]  # one-word messages: found when they are a whole text


@cache
def english_words(language: str) -> EnglishWords:
    catalogue = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"))
    phrases, words = set(), set()
    for entry in catalogue:
        pairs = (
            [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        for message, translation in pairs:
            for part in _SPLIT.split(message):
                part = _stripped(part)
                if part in translation:  # kept as it is in this language
                    continue
                if len(_WORD.findall(part)) >= 2:
                    phrases.add(part)
                elif len(_WORD.findall(part)) == 1 and len(part) >= 3:
                    words.add(part)
    return EnglishWords(tuple(sorted(phrases, key=len, reverse=True)), frozenset(words))


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_ELEMENTS:
            self._skipping += 1
        for name, value in attrs:
            if value and (
                name in _READ_ATTRIBUTES or (tag == "input" and name == "value" and ("type", "submit") in attrs)
            ):
                self.texts.append(_normal(value))

    def handle_endtag(self, tag):
        if tag in _SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(_normal(data))


def page_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def english_in(html: str, language: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English interface text on a page meant for ``language``: [] when there is none."""
    found = []
    english = english_words(language)
    for text in page_texts(html):
        if text in allowed:
            continue
        if _stripped(text) in english.words:
            found.append(text)
            continue
        hit = next((phrase for phrase in english.phrases if phrase in text), None)
        if hit is not None:
            found.append(f"{text!r} (“{hit}”)")
    return found
