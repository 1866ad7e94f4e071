"""Public replies (a kernel hook, used by finance A3): answered objections of a registered kind are shown on the
public page, masked, with a "question this row" link; other kinds keep objections between objector and publisher."""

from __future__ import annotations

import pytest

from shanzhi.publication import selectors
from shanzhi.publication.services import objection_file, objection_handle

pytestmark = pytest.mark.django_db


def _answered(publication, cadre):
    o = objection_file(publication=publication, name="孙大圣", phone="13700001234", text="关于 0001：户主姓名有误")
    objection_handle(acting_user=cadre, objection=o, decision="rejected", reply="经核对无误。")


def test_unregistered_kind_keeps_replies_private(client, publish, group_setup):
    p = publish()
    _answered(p, group_setup.cadre)
    assert not selectors.replies_public(p) and selectors.row_refs(p) == []
    body = client.get(p.get_public_path() + "?about=0001").content.decode()
    assert "经核对无误" not in body and "户主姓名有误" not in body and "对此提问" not in body
    assert "关于 0001" not in body


def test_registered_kind_shows_masked_answers_and_row_links(client, publish, group_setup, monkeypatch):
    monkeypatch.setitem(selectors._PUBLIC_REPLY_KINDS, "household_list", lambda row: row[1])
    p = publish()
    _answered(p, group_setup.cadre)
    assert selectors.row_refs(p) == [row[1] for row in p.rows]
    body = client.get(p.get_public_path()).content.decode()
    assert "经核对无误" in body and "户主姓名有误" in body and "孙*" in body
    assert "孙大圣" not in body and "13700001234" not in body
    assert f"?about={p.rows[0][1]}" in body
    body = client.get(p.get_public_path() + f"?about={p.rows[0][1]}").content.decode()
    assert f"关于 {p.rows[0][1]}：" in body
