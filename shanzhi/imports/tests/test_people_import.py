"""Excel import of households and persons (F2, F8): template round trip, all-or-nothing, upsert."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shanzhi.audit.models import AuditEntry
from shanzhi.core.identity import make_id_number
from shanzhi.imports.choices import ImportStatus
from shanzhi.imports.models import ImportJob
from shanzhi.imports.people import COLUMNS, EXAMPLE_ID
from shanzhi.imports.services import people_import
from shanzhi.people.models import Household, Person

HEADERS = [c.header for c in COLUMNS]


def pid(n: int, male: bool = True) -> str:
    return make_id_number("419001", dt.date(1990, 1, 1) + dt.timedelta(days=n), (n * 2 + (1 if male else 0)) % 1000)


def bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def template(client) -> Workbook:
    response = client.get("/imports/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def fill(wb: Workbook, rows: list[dict]) -> bytes:
    ws = wb["人员"]
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append([row.get(h, "") for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, content: bytes, name: str = "人员.xlsx"):
    return client.post("/imports/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def family(place_code: str, base: int, *, number: str = "", group: str = "") -> list[dict]:
    head = pid(base)
    return [
        {"户编号": number, "网格/村代码": place_code, "村民小组": group, "住址": f"东坡村{base}号", "姓名": f"王{base}",
         "公民身份号码": head, "与户主关系": "户主", "手机号": f"139{base:08d}", "居住状态": "常住",
         "政治面貌": "中共党员", "关注标签": "党员、退役军人"},
        {"户编号": number, "户主身份证号": "" if number else head, "网格/村代码": place_code, "姓名": f"李{base}",
         "公民身份号码": pid(base + 1, male=False), "与户主关系": "配偶"},
    ]


@pytest.fixture
def cadre(tree, make_user):
    return make_user("village_cadre", tree.v1)


@pytest.fixture
def logged_in(client, cadre):
    client.force_login(cadre)
    return client


def test_template_has_instructions_codes_and_example(logged_in, tree):
    wb = template(logged_in)
    assert wb.sheetnames == ["人员", "填写说明", "区划代码"]
    ws = wb["人员"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.cell(row=2, column=HEADERS.index("公民身份号码") + 1).value == EXAMPLE_ID
    explained = {r[0] for r in wb["填写说明"].iter_rows(values_only=True)}
    assert set(HEADERS) <= explained
    codes = {r[0] for r in wb["区划代码"].iter_rows(min_row=2, values_only=True)}
    assert {tree.v1.code, tree.g1.code, tree.grp1.code} <= codes
    assert tree.v3.code not in codes  # another township: not the cadre's


def test_round_trip_imports_households_and_persons(logged_in, tree, cadre):
    rows = family(tree.g1.code, 10, group="东坡村一组") + family(tree.v1.code, 20, number="DP-0020")
    response = upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.IMPORTED, job.errors
    assert (job.households_created, job.persons_created, job.persons_updated) == (2, 4, 0)
    page = response.content.decode()
    assert "新增人员：4" in page and "新增户：2" in page

    head = Person.objects.get(id_number=pid(10))
    household = head.household
    assert household.place == tree.g1 and household.group == tree.grp1 and household.head == head
    assert household.member_count == 2 and household.address == "东坡村10号"
    assert head.relation == "head" and head.political_status == "party_member"
    assert head.tags == ["party_member", "veteran"] and head.phone == "13900000010"
    assert head.birth_date == dt.date(1990, 1, 11) and head.sex == "M"
    spouse = Person.objects.get(id_number=pid(11, male=False))
    assert spouse.household == household and spouse.relation == "spouse"
    assert Household.objects.get(number="DP-0020").member_count == 2
    audit = AuditEntry.objects.get(event="people_import")
    assert audit.success and audit.after["persons_created"] == 4 and audit.place_path == tree.v1.path


def test_one_bad_row_is_reported_and_nothing_is_written(logged_in, tree):
    rows = family(tree.g1.code, 30) + family(tree.g1.code, 40)
    rows[3]["公民身份号码"] = bad_checksum(rows[3]["公民身份号码"])  # Excel row 5
    persons, households, audits = Person.objects.count(), Household.objects.count(), AuditEntry.objects.count()

    response = upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert job.errors == [{"row": 5, "column": "公民身份号码", "message": "身份证号校验码错误，请核对后重新输入。"}]
    page = response.content.decode()
    assert "未导入任何数据" in page and "第 5 行" in page and "校验码错误" in page
    assert (Person.objects.count(), Household.objects.count()) == (persons, households)
    assert AuditEntry.objects.count() == audits + 1  # only the refused import itself
    assert not AuditEntry.objects.get(event="people_import").success

    rows[3]["公民身份号码"] = pid(41, male=False)  # fixed
    upload(logged_in, fill(template(logged_in), rows))
    fixed = ImportJob.objects.order_by("-id").first()
    assert fixed.status == ImportStatus.IMPORTED, fixed.errors
    assert Person.objects.count() == persons + 4


def test_every_bad_row_is_listed(logged_in, tree):
    rows = family(tree.g1.code, 50) + family(tree.g1.code, 60)
    rows[0]["手机号"] = "12345"
    rows[1]["与户主关系"] = "表亲"
    rows[2]["姓名"] = ""
    rows[3]["公民身份号码"] = rows[2]["公民身份号码"]
    upload(logged_in, fill(template(logged_in), rows))
    errors = {(e["row"], e["column"]) for e in ImportJob.objects.get().errors}
    assert {(2, "手机号"), (3, "与户主关系"), (4, "姓名"), (5, "公民身份号码")} <= errors
    duplicate = next(e for e in ImportJob.objects.get().errors if e["row"] == 5)
    assert "与第 4 行重复" in duplicate["message"]
    assert not Person.objects.filter(id_number=pid(50)).exists()


def test_reimport_updates_instead_of_duplicating(logged_in, tree):
    rows = family(tree.g1.code, 70)
    upload(logged_in, fill(template(logged_in), rows))
    assert Person.objects.filter(id_number__in=[pid(70), pid(71, male=False)]).count() == 2

    rows[1]["手机号"] = "13712345678"
    rows[1]["居住状态"] = "外出"
    rows.append({"户主身份证号": pid(70), "网格/村代码": tree.g1.code, "姓名": "王小七", "公民身份号码": pid(72),
                 "与户主关系": "子女"})
    upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.order_by("-id").first()
    assert job.status == ImportStatus.IMPORTED, job.errors
    assert (job.households_created, job.persons_created, job.persons_updated, job.persons_unchanged) == (0, 1, 1, 1)
    spouse = Person.objects.get(id_number=pid(71, male=False))
    assert spouse.phone == "13712345678" and spouse.residence_status == "away"
    assert Household.objects.filter(members__id_number=pid(70)).count() == 1
    assert spouse.household.members.count() == 3 and spouse.household.member_count == 3


def test_rows_join_an_existing_household_by_number(logged_in, tree, cadre, make_household):
    household = make_household(cadre, tree.g1, head_name="赵大")
    rows = [{"户编号": household.number, "网格/村代码": tree.g1.code, "姓名": "赵小", "公民身份号码": pid(80),
             "与户主关系": "子女"}]
    upload(logged_in, fill(template(logged_in), rows))
    assert ImportJob.objects.get().status == ImportStatus.IMPORTED
    assert Person.objects.get(id_number=pid(80)).household == household

    rows = [{"户编号": household.number, "网格/村代码": tree.g1.code, "姓名": "钱新", "公民身份号码": pid(81),
             "与户主关系": "户主"}]
    upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.order_by("-id").first()
    assert job.status == ImportStatus.REJECTED
    assert "已有户主" in job.errors[0]["message"]


def test_renamed_text_file_gets_a_clear_message(logged_in):
    response = upload(logged_in, "姓名,身份证号\n张三,1234\n".encode(), name="人员.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED and job.errors[0]["row"] is None
    assert "文件不是有效的 Excel (.xlsx) 文件" in job.errors[0]["message"]
    assert "文件不是有效的 Excel (.xlsx) 文件" in response.content.decode()

    upload(logged_in, b"PK\x03\x04" + b"\x00" * 200, name="broken.xlsx")
    assert "文件不是有效的 Excel (.xlsx) 文件" in ImportJob.objects.order_by("-id").first().errors[0]["message"]


def test_wrong_columns_and_too_big_files(logged_in, settings):
    wb = Workbook()
    wb.active.append(["名字", "号码"])
    buf = io.BytesIO()
    wb.save(buf)
    upload(logged_in, buf.getvalue())
    assert "缺少列" in ImportJob.objects.order_by("-id").first().errors[0]["message"]

    settings.IMPORT_MAX_BYTES = 1000
    upload(logged_in, buf.getvalue())
    assert "文件过大" in ImportJob.objects.order_by("-id").first().errors[0]["message"]


def test_out_of_scope_or_unknown_place_is_refused(logged_in, tree):
    rows = family(tree.v3.code, 90) + family("419001100299", 92)
    upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    place_errors = [e for e in job.errors if e["column"] == "网格/村代码"]
    assert [e["row"] for e in place_errors] == [2, 3, 4, 5]
    assert all(e["message"].startswith("未知区划") for e in place_errors)
    assert not Person.objects.filter(id_number=pid(90)).exists()


def test_person_registered_elsewhere_is_not_taken_over(logged_in, tree, make_user, make_household):
    other = make_user("village_cadre", tree.v3)
    stranger = make_household(other, tree.g3, head_name="孙远").head
    rows = [{"网格/村代码": tree.g1.code, "住址": "东坡村1号", "姓名": "孙远", "公民身份号码": stranger.id_number,
             "与户主关系": "户主"}]
    upload(logged_in, fill(template(logged_in), rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert "不在您的管辖范围内" in job.errors[0]["message"]
    stranger.refresh_from_db()
    assert stranger.household.place == tree.g3


def test_example_row_left_in_and_numeric_ids_are_refused(logged_in, tree):
    wb = template(logged_in)
    ws = wb["人员"]
    ws.append(["", "", tree.g1.code, "", "东坡村2号", "周六", int(pid(100)), "户主"])
    buf = io.BytesIO()
    wb.save(buf)
    upload(logged_in, buf.getvalue())
    errors = ImportJob.objects.get().errors
    assert errors[0]["row"] == 2 and "示例行" in errors[0]["message"]
    assert [(e["row"], e["column"]) for e in errors[1:]] == [(3, "公民身份号码")]
    assert "文本" in errors[1]["message"]


def test_import_pages_need_the_import_right(client, tree, make_user, logged_in, cadre):
    upload(logged_in, b"not excel")
    job = ImportJob.objects.get()
    worker = make_user("grid_worker", tree.g1)
    client.force_login(worker)
    assert client.get("/imports/").status_code == 404
    assert client.get("/imports/template.xlsx").status_code == 404
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert "导入 Excel" not in client.get("/people/").content.decode()
    other_cadre = make_user("village_cadre", tree.v1)
    client.force_login(other_cadre)
    assert client.get(f"/imports/{job.pk}/").status_code == 404  # someone else's job
    client.force_login(cadre)
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    assert "导入 Excel" in client.get("/people/").content.decode()


def test_index_lists_my_jobs_with_constant_queries(logged_in, cadre, django_assert_max_num_queries):
    for _ in range(3):
        upload(logged_in, b"x")
    with django_assert_max_num_queries(12):
        response = logged_in.get("/imports/")
    assert response.content.decode().count("有错误，未导入") == 3


def test_service_refuses_users_without_the_right(tree, make_user):
    from shanzhi.core.errors import NotFound

    with pytest.raises(NotFound):
        people_import(acting_user=make_user("grid_worker", tree.g1), upload=SimpleUploadedFile("a.xlsx", b"x"))
