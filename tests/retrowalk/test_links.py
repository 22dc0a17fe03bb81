"""Links by public id: what reverse() gives, with the script prefix in force."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from programs.charts import PROGRAM_LINKS
from retrowalk.links import public_links


@pytest.fixture
def restore_prefix():
    yield
    set_script_prefix("/")


def test_each_link_is_what_reverse_gives_for_the_id(restore_prefix):
    public_id = uuid.uuid4()
    links = public_links(public_id, PROGRAM_LINKS)
    assert links == {key: reverse(name, kwargs={"public_id": public_id}) for key, name in PROGRAM_LINKS.items()}
    assert links["pause"] == f"/programs/{public_id}/pause/"
    other = uuid.uuid4()
    assert public_links(other, {"stop": "programs:stop"}) == {"stop": f"/programs/{other}/stop/"}


def test_a_script_prefix_is_kept(restore_prefix):
    public_id = uuid.uuid4()
    set_script_prefix("/clinic/")
    assert public_links(public_id, {"stop": "programs:stop"}) == {"stop": f"/clinic/programs/{public_id}/stop/"}
    set_script_prefix("/")
    assert public_links(public_id, {"stop": "programs:stop"}) == {"stop": f"/programs/{public_id}/stop/"}
