"""Village affairs assistants (domain.md G6): appointment with a term and one assistant per micro-grid, the published
contact only with consent (never the registry phone), duties 5 + X, the service card (HTML and a PDF checked as text
and as pixels), the public micro-grid page without login, scope (404 outside) and flat query counts."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import assistants
from shanzhi.grid.grid_choices import STANDARD_ASSISTANT_DUTIES
from shanzhi.grid.models import AssistantDuties, VillageAssistant

pytestmark = pytest.mark.django_db

PNG_DIR = Path("/tmp/g")


def writes() -> tuple[int, int, int]:
    return VillageAssistant.objects.count(), AssistantDuties.objects.count(), AuditEntry.objects.count()


def appoint(w, **kwargs):
    kwargs.setdefault("microgrid", w.micro)
    kwargs.setdefault("person", w.person)
    kwargs.setdefault("public_phone", "0391-6612345")
    kwargs.setdefault("phone_consent", True)
    return assistants.assistant_appoint(acting_user=kwargs.pop("actor", w.cadre), **kwargs)


def table(response) -> str:
    page = response.content.decode()
    return page[page.index('id="assistant-table"') : page.index("</table>")]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


# --- appointment --------------------------------------------------------------------------------------------------


def test_appoint_with_term_and_audit(g6):
    a = appoint(g6, term_start=dt.date(2026, 1, 1), term_end=dt.date(2028, 12, 31))
    assert (a.name, a.place_path, a.public_phone, a.in_office) == (
        "王秀兰",
        g6.micro.path,
        "0391-6612345",
        True,
    )
    entry = AuditEntry.objects.get(event="assistant_appoint")
    assert entry.after["term_end"] == "2028-12-31" and entry.place_path == g6.micro.path


BAD_APPOINTMENTS = {
    "a grid, not a micro-grid": ({"microgrid": "g1"}, "村务助理按微网格设置"),
    "neither person nor user": ({"person": None}, "请选择一名人员或一个用户"),
    "phone without consent": ({"phone_consent": False}, "须经村务助理本人同意"),
    "phone malformed": ({"public_phone": "12345"}, "联系电话应为11位手机号"),
    "term ends before it starts": (
        {"term_start": dt.date(2026, 3, 1), "term_end": dt.date(2026, 2, 1)},
        "任期止不能早于任期起",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_APPOINTMENTS))
def test_bad_appointment_is_refused_in_chinese_and_nothing_written(g6, case):
    kwargs, message = BAD_APPOINTMENTS[case]
    if kwargs.get("microgrid") == "g1":
        kwargs = {**kwargs, "microgrid": g6.tree.g1}
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        appoint(g6, **kwargs)
    assert message in exc.value.message
    assert writes() == before


def test_assistant_must_live_in_the_village(g6, make_household):
    stranger = make_household(g6.outsider, g6.tree.v3, head_name="赵外村").head
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        appoint(g6, person=stranger, actor=g6.cadre)
    assert "本村（社区）的村民" in exc.value.message and writes() == before


def test_one_assistant_per_microgrid_and_one_microgrid_per_assistant(g6, make_household):
    first = appoint(g6)
    other = make_household(g6.cadre, g6.micro2, head_name="陈二").head
    before = writes()
    with pytest.raises(Conflict) as exc:
        appoint(g6, person=other)
    assert f"{g6.micro.name}已有在任村务助理王秀兰" in exc.value.message
    with pytest.raises(Conflict) as exc:
        appoint(g6, microgrid=g6.micro2)
    assert "一名村务助理只服务一个微网格" in exc.value.message
    assert writes() == before
    assistants.assistant_end(acting_user=g6.cadre, assistant=first, ended_on=dt.date.today())
    second = appoint(g6, person=other)
    assert second.in_office and VillageAssistant.objects.filter(ended_on__isnull=True).get() == second
    with pytest.raises(ValidationFailed) as exc:
        assistants.assistant_end(acting_user=g6.cadre, assistant=first)
    assert "已经离任" in exc.value.message


def test_scope_of_the_services(g6):
    before = writes()
    with pytest.raises(NotFound):
        appoint(g6, actor=g6.outsider)
    with pytest.raises(PermissionDenied) as exc:  # a grid worker sees the grid but does not manage it
        appoint(g6, actor=g6.worker)
    assert "不能修改" in exc.value.message
    with pytest.raises(NotFound):
        assistants.assistant_duties_save(
            acting_user=g6.outsider, village=g6.tree.v1, extra_duties=["x"], service_hours="全天"
        )
    assert writes() == before


def test_withdrawing_consent_takes_the_phone_off_the_card(client, g6):
    a = appoint(g6)
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        assistants.assistant_update(
            acting_user=g6.cadre, assistant=a, public_phone="13912345678", phone_consent=False, term_end=None
        )
    assert "须经村务助理本人同意" in exc.value.message and writes() == before
    assistants.assistant_update(
        acting_user=g6.cadre, assistant=a, public_phone="", phone_consent=False, term_end=None
    )
    client.force_login(g6.cadre)
    page = client.get(f"/grid/assistants/{a.pk}/card").content.decode()
    assert "0391-6612345" not in page and "请联系东坡村村（居）委会" in page


# --- duties 5 + X ---------------------------------------------------------------------------------------------------

BAD_DUTIES = {
    "too many": ([f"第{i}项工作" for i in range(9)], "全天", "最多 8 项"),
    "too long": (["很" * 31], "全天", "不超过 30 个字"),
    "repeats a standard duty": (["政策宣传：换个说法"], "全天", "不能与五项基本职责重复"),
    "no hours": (["环境卫生监督"], "  ", "请填写服务时间"),
}


@pytest.mark.parametrize("case", sorted(BAD_DUTIES))
def test_bad_duties_are_refused_and_nothing_written(g6, case):
    items, hours, message = BAD_DUTIES[case]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        assistants.assistant_duties_save(
            acting_user=g6.cadre, village=g6.tree.v1, extra_duties=items, service_hours=hours
        )
    assert message in exc.value.message and writes() == before


def test_duties_page_saves_x_items(client, g6):
    client.force_login(g6.cadre)
    url = f"/grid/assistants/duties/{g6.tree.v1.code}/"
    page = client.get(url).content.decode()
    assert all(d in page for d in STANDARD_ASSISTANT_DUTIES)
    response = client.post(url, {"extra_duties": "很" * 31, "service_hours": "全天"})
    assert response.status_code == 400 and "不超过 30 个字" in response.content.decode()
    assert not AssistantDuties.objects.exists()
    response = client.post(
        url,
        {
            "extra_duties": "环境卫生监督\n\n 留守老人探访 \n环境卫生监督",
            "service_hours": "工作日 8:00—18:00",
        },
    )
    assert response.status_code == 302
    duties = AssistantDuties.objects.get()
    assert (
        duties.extra_duties == ["环境卫生监督", "留守老人探访"]
        and duties.service_hours == "工作日 8:00—18:00"
    )
    assert client.get(f"/grid/assistants/duties/{g6.tree.g1.code}/").status_code == 404  # not a village
    client.force_login(g6.outsider)
    assert client.get(url).status_code == 404


# --- the service card --------------------------------------------------------------------------------------------


def test_card_shows_what_is_published_and_households_served(client, g6, make_household):
    make_household(g6.cadre, g6.micro, head_name="孙三")
    make_household(g6.cadre, g6.micro2, head_name="不在本微网格")
    assistants.assistant_duties_save(
        acting_user=g6.cadre,
        village=g6.tree.v1,
        extra_duties=["环境卫生监督"],
        service_hours="工作日 8:00—18:00",
    )
    a = appoint(g6)
    client.force_login(g6.worker)  # viewers may print the card
    page = client.get(f"/grid/assistants/{a.pk}/card").content.decode()
    assert 'id="sc-name">王秀兰<' in page and "0391-6612345" in page and 'id="sc-households">2 户<' in page
    assert "环境卫生监督" in page and STANDARD_ASSISTANT_DUTIES[0] in page and "工作日 8:00—18:00" in page
    assert "data:image/svg+xml;base64," in page and f"/grid/public/microgrid/{g6.micro.code}/" in page
    assert g6.person.phone not in page  # the registry's personal phone is never printed
    client.force_login(g6.outsider)
    assert client.get(f"/grid/assistants/{a.pk}/card").status_code == 404
    assert client.get(f"/grid/assistants/{a.pk}/card.pdf").status_code == 404


def test_card_of_an_assistant_who_left_is_gone(client, g6):
    a = appoint(g6)
    assistants.assistant_end(acting_user=g6.cadre, assistant=a)
    client.force_login(g6.cadre)
    response = client.get(f"/grid/assistants/{a.pk}/card")
    assert response.status_code == 404 and "服务卡已停用" in response.content.decode()


def test_card_pdf_has_the_chinese_text_and_is_not_blank(client, g6, tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    assistants.assistant_duties_save(
        acting_user=g6.cadre,
        village=g6.tree.v1,
        extra_duties=["环境卫生监督"],
        service_hours="工作日 8:00—18:00",
    )
    a = appoint(g6)
    client.force_login(g6.cadre)
    response = client.get(f"/grid/assistants/{a.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (105, 148)  # A6
    text = "".join(reader.pages[0].extract_text().split())
    for expected in (
        "村务助理服务卡",
        "王秀兰",
        "0391-6612345",
        "服务农户",
        "环境卫生监督",
        "政策宣传",
        "我要反映",
        "东坡村",
    ):
        assert expected in text, expected
    assert g6.person.phone not in text
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "card")], check=True
    )
    image = Image.open(tmp_path / "card.png").convert("RGB")
    PNG_DIR.mkdir(exist_ok=True)
    image.save(PNG_DIR / "service_card.png")
    pixels = list(image.get_flattened_data())
    dark = sum(1 for r, g, b in pixels if r + g + b < 300)
    red = sum(1 for r, g, b in pixels if r > 120 and g < 60 and b < 60)  # the card's red header band
    assert dark > len(pixels) * 0.01 and red > len(pixels) * 0.03, (dark, red, len(pixels))


# --- the public page -------------------------------------------------------------------------------------------


def test_public_page_without_login(client, g6):
    url = f"/grid/public/microgrid/{g6.micro.code}/"
    page = client.get(url).content.decode()
    assert "本微网格暂无村务助理" in page and "我要反映" in page
    a = appoint(g6)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="public-assistant">王秀兰<' in page
        and "0391-6612345" in page
        and STANDARD_ASSISTANT_DUTIES[4] in page
    )
    assert f'href="/events/report?place={g6.micro.code}"' in page
    assert g6.person.phone not in page and "李梅" not in page
    report = client.get(f"/events/report?place={g6.micro.code}")  # reporting needs a login
    assert report.status_code == 302 and "/accounts/login/" in report["Location"]
    assert client.get(f"/grid/public/microgrid/{g6.tree.g1.code}/").status_code == 404
    assert client.get("/grid/public/microgrid/nope/").status_code == 404
    few = _queries(client, url)
    assistants.assistant_duties_save(
        acting_user=g6.cadre, village=g6.tree.v1, extra_duties=["甲", "乙", "丙"], service_hours="全天"
    )
    assert _queries(client, url) == few
    assistants.assistant_end(acting_user=g6.cadre, assistant=a)
    assert "王秀兰" not in client.get(url).content.decode()


# --- pages ---------------------------------------------------------------------------------------------------------


def test_appoint_through_the_page_and_list(client, g6, make_household):
    client.force_login(g6.cadre)
    form = {"microgrid": g6.micro.code, "id_number": g6.person.id_number, "public_phone": "13912345678"}
    response = client.post("/grid/assistants/", form)
    assert response.status_code == 400 and "须经村务助理本人同意" in response.content.decode()
    assert not VillageAssistant.objects.exists()
    response = client.post("/grid/assistants/", {**form, "phone_consent": "on"})
    a = VillageAssistant.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/grid/assistants/{a.pk}/card"
    other = make_household(g6.cadre, g6.micro2, head_name="陈二").head
    response = client.post("/grid/assistants/", {"microgrid": g6.micro.code, "id_number": other.id_number})
    assert response.status_code == 409 and "已有在任村务助理" in response.content.decode()
    response = client.post("/grid/assistants/", {"microgrid": g6.tree.g3.code, "id_number": other.id_number})
    assert response.status_code == 404  # another township's place
    assert "王秀兰" in client.get("/grid/assistants/").content.decode()
    assert (
        "王秀兰" in client.get(f"/grid/grids/{g6.tree.g1.code}/").content.decode()
    )  # on the grid's risk card
    response = client.post(f"/grid/assistants/{a.pk}/end", {"ended_on": "2001-01-01"})
    assert (
        response.status_code == 302 and VillageAssistant.objects.get().in_office
    )  # before the term: refused
    client.post(f"/grid/assistants/{a.pk}/end", {})
    assert not VillageAssistant.objects.get().in_office
    assert "王秀兰" not in table(client.get("/grid/assistants/"))
    assert "王秀兰" in table(client.get("/grid/assistants/?all=1"))
    client.force_login(g6.outsider)
    assert "王秀兰" not in table(client.get("/grid/assistants/?all=1"))
    assert client.get(f"/grid/assistants/{a.pk}/edit").status_code == 404


def test_list_and_card_query_counts_do_not_grow(client, g6, make_place, make_household):
    a = appoint(g6)
    client.force_login(g6.cadre)
    urls = ["/grid/assistants/", f"/grid/assistants/{a.pk}/card", f"/grid/grids/{g6.tree.g1.code}/"]
    [_queries(client, u) for u in urls]
    first = [_queries(client, u) for u in urls]
    for n in range(3):
        micro = make_place(g6.tree.g1, "microgrid", f"加微网格{n}")
        head = make_household(g6.cadre, micro, head_name=f"加户{n}").head
        make_household(g6.cadre, g6.micro)
        appoint(g6, microgrid=micro, person=head)
    assert [_queries(client, u) for u in urls] == first
