"""Each language's catalogue is complete and compiled: every message translated, none fuzzy, every
placeholder kept, and the committed .mo says exactly what the .po says (`make messages` rebuilds both;
CI also re-extracts the messages from the code and fails when the catalogue misses one)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))
# Python's %(name)s and %%, and str.format's {name}: a translation must keep exactly the same ones.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_]+\}")


def test_there_is_a_spanish_catalogue_and_it_is_offered():
    assert [path.parent.parent.name for path in CATALOGUES] == ["es"]
    assert dict(settings.LANGUAGES) == {"en": "English", "es": "Español"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_message_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 1000
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == path.parent.parent.name


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_message(path):
    wrong = []
    for entry in polib.pofile(str(path)):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for message, translation in pairs:
            wanted = sorted(PLACEHOLDER.findall(message))
            # A singular may say "one" instead of its count, as English does ("1 minute").
            if sorted(PLACEHOLDER.findall(translation)) != wanted and not (
                entry.msgid_plural and message == entry.msgid
            ):
                wrong.append(message)
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_compiled_catalogue_matches_its_source(path):
    source = polib.pofile(str(path))
    compiled = polib.mofile(str(path.with_suffix(".mo")))

    def translations(catalogue):
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
            for entry in catalogue
            if not entry.obsolete
        }

    assert translations(compiled) == translations(source)
