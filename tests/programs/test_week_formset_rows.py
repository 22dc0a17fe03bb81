"""The week-by-week editing table: every input labelled with its week, errors beside the input, text escaped."""

import re
from decimal import Decimal
from html import unescape

import pytest

from programs import forms, services


def _formset(template, data=None):
    plan = services.prescription_plan(template=template, starting_speed_kmh=Decimal("2.0"))
    if data is None:
        return forms.week_formset(unit="kmh", template=template, initial=forms.initial_weeks(plan))
    return forms.week_formset(data=data, unit="kmh", template=template)


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    body = re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", body))  # one line a row, no space between tags
    return re.findall(r"<tr>.*?</tr>", body)


def _posted(template) -> dict:
    plan = services.prescription_plan(template=template, starting_speed_kmh=Decimal("2.0"))
    data = {"weeks-TOTAL_FORMS": str(len(plan)), "weeks-INITIAL_FORMS": "0"}
    for index, week in enumerate(forms.initial_weeks(plan)):
        data.update({f"weeks-{index}-{name}": str(value) for name, value in week.items()})
    return data


@pytest.mark.django_db
def test_a_row_a_week_each_input_labelled_with_its_week(oa_template):
    html = str(_formset(oa_template))  # as a page draws it: {{ weeks }}, the formset's own template
    rows = _rows(html)
    assert len(rows) == oa_template.weeks
    second = rows[1]
    assert second.startswith('<tr><th scope="row"><input type="hidden" name="weeks-1-week" value="2"')
    assert 'id="id_weeks-1-week">2</th>' in second
    labels = re.findall(r'<label class="visually-hidden" for="([^"]+)">([^<]+)</label>', second)
    assert labels[:3] == [
        ("id_weeks-1-speed_kmh", "Week 2: Speed (km/h)"),
        ("id_weeks-1-incline_pct", "Week 2: Incline (%)"),
        ("id_weeks-1-sessions", "Week 2: Sessions"),
    ]
    assert len(labels) == len(second.split("<td>")) - 1 == 8  # every visible input has its label
    for target, _ in labels:
        assert f'id="{target}"' in second
    assert "invalid-feedback" not in html


@pytest.mark.django_db
def test_errors_sit_under_their_input_and_text_stays_text(oa_template):
    data = _posted(oa_template) | {"weeks-2-bouts": "<b>x", "weeks-1-note": '"><script>alert(1)</script>'}
    formset = _formset(oa_template, data)
    assert not formset.is_valid()
    rows = _rows(str(formset))
    third = rows[2]
    assert 'id="id_weeks-2-bouts"' in third
    assert 'aria-describedby="id_weeks-2-bouts_error"' in third
    assert '<div class="invalid-feedback d-block" id="id_weeks-2-bouts_error">Enter a whole number.</div>' in third
    assert 'value="&lt;b&gt;x"' in third
    assert "<script>" not in rows[1]
    (note,) = re.findall(r'name="weeks-1-note" value="([^"]*)"', rows[1])
    assert "<" not in note and unescape(note) == '"><script>alert(1)</script>'  # escaped, and read back unchanged
    assert all("invalid-feedback" not in row for index, row in enumerate(rows) if index != 2)


@pytest.mark.django_db
def test_a_blank_week_row_is_an_error_shown_not_a_week_skipped(oa_template):
    """A post with a row count and nothing in the rows (found by the form fuzz)."""
    formset = _formset(oa_template, {"weeks-TOTAL_FORMS": "1", "weeks-INITIAL_FORMS": "1"})
    assert not formset.is_valid()
    (row,) = _rows(str(formset))
    assert 'aria-describedby="id_weeks-0-speed_kmh_error"' in row and "This field is required." in row
