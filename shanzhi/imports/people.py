"""Excel in for the population registry (domain.md F2, F8): the template, and the validate-all pass.

One sheet, one row per person; rows with the same 户编号 (or, when that is blank, the same 户主身份证号)
form one household. Every row is checked before anything is written, and every problem is reported
with its Excel row number and column. The checks on identity numbers, phones and choices are the
registry's own (``people.services.clean_person_data``); this module only reads cells, maps the Chinese
labels of the template to stored values, looks places and existing rows up in bulk and checks what
only a whole file can show (duplicates, households, heads). Writing is ``imports.services``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextChoices
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.identity import make_id_number, parse_id_number
from shanzhi.people.choices import PersonTag, PoliticalStatus, Relation, ResidenceStatus
from shanzhi.people.models import Household, Person
from shanzhi.people.services import HOUSEHOLD_PLACE_LEVELS, clean_person_data
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place, path_prefixes

MAX_ROWS = 5_000  # one village (~1,400 persons) per file fits in one request; larger imports: a background job (next step)
# A real 20 MB workbook of 20,000 rows unpacks to well under this; more is a zip bomb or not our file.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
SHEET_TITLE = "人员"
NOT_XLSX = "文件不是有效的 Excel (.xlsx) 文件。"
LOOKUP_CHUNK = 900  # keeps IN (...) lists under SQLite's parameter limit
TAG_SEPARATORS = re.compile(r"[、,，;；\s]+")
TAG_ALIASES = {"监测户": PersonTag.MONITORED, "脱贫户": PersonTag.MONITORED, "中共党员": PersonTag.PARTY_MEMBER}
EXAMPLE_NAME = "张示例"
EXAMPLE_ID = make_id_number("419001", dt.date(1975, 3, 8), 123)


class FileRejected(ValidationFailed):
    """The file as a whole cannot be read (not an xlsx, too large, wrong columns, too many rows)."""

    code = "import_file"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    width: int = 14
    text: bool = False  # kept as text in Excel, or long numbers lose their last digits
    choices: type[TextChoices] | None = None


COLUMNS: list[Column] = [
    Column("household_number", "户编号", False,
           "同一户的各行填同一个户编号。已登记的户填系统中的户编号；新户可留空，由系统编号。", 22, text=True),
    Column("head_id_number", "户主身份证号", False,
           "本人所在户的户主的公民身份号码。户编号留空时，按它把各行归为一户；户主本人一行可留空。", 22, text=True),
    Column("place_code", "网格/村代码", True,
           "户所在的村/社区、网格或微网格的代码，须在您的管辖范围内（见“区划代码”表）。同一户各行须相同。", 20, text=True),
    Column("group_name", "村民小组", False, "村民小组名称，须是该村已建立的村民小组。只用于新户。", 14),
    Column("address", "住址", False, "新户必填（同一户填在任一行即可）。已登记的户不会被修改。", 28),
    Column("name", "姓名", True, "本人姓名。", 10),
    Column("id_number", "公民身份号码", True,
           "18位，最后一位可为X；出生日期和性别由号码推出。已登记的号码更新该人员，未登记的新增。", 22, text=True),
    Column("relation", "与户主关系", False, "留空：新增人员记为“其他”，已登记人员不变。", 12, choices=Relation),
    Column("phone", "手机号", False, "11位中国大陆手机号。留空：已登记人员不变。", 14, text=True),
    Column("residence_status", "居住状态", False, "留空：新增人员记为“常住”，已登记人员不变。", 10, choices=ResidenceStatus),
    Column("political_status", "政治面貌", False, "留空：新增人员记为“群众”，已登记人员不变。", 12, choices=PoliticalStatus),
    Column("tags", "关注标签", False, "可填多个，用顿号“、”分隔。留空：已登记人员不变。", 20, choices=PersonTag),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER_TO_KEY = {c.header: c.key for c in COLUMNS}
# Which column a registry error belongs to, by the error's code (people.services / core.identity).
CODE_COLUMNS = {
    "name_required": "name",
    "id_number_required": "id_number",
    "id_number_format": "id_number",
    "id_number_birth": "id_number",
    "id_number_checksum": "id_number",
    "birth_mismatch": "id_number",
    "sex_mismatch": "id_number",
    "phone_format": "phone",
}
PERSON_KEYS = ("name", "id_number", "relation", "phone", "residence_status", "political_status", "tags")


@dataclass(frozen=True)
class Issue:
    """One problem: Excel row number (None for the file as a whole), column header, reason."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class PersonRow:
    row: int
    household_number: str
    head_id_number: str
    place_code: str
    group_name: str
    address: str
    id_number: str
    provided: dict[str, Any]  # person fields the row fills, as stored values (blank cells left out)
    relation: str = ""  # the relation the person will have once imported (filled in by the file pass)
    person: Person | None = None  # already registered under this identity number
    has_issue: bool = False

    def create_data(self) -> dict[str, Any]:
        return dict(self.provided)

    def update_data(self) -> dict[str, Any]:
        return dict(self.provided)


@dataclass
class HouseholdPlan:
    rows: list[PersonRow]
    place: Place | None = None
    existing: Household | None = None
    number: str = ""
    address: str = ""
    group: Place | None = None

    def write_order(self) -> list[PersonRow]:
        """The present head, if the file demotes them, goes first, so the new head can take the place."""
        head_id = self.existing.head_id if self.existing else None
        first = [r for r in self.rows if r.person is not None and r.person.pk == head_id and r.relation != Relation.HEAD]
        return first + [r for r in self.rows if r not in first]


@dataclass
class ImportPlan:
    row_count: int = 0
    households: list[HouseholdPlan] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def place_path(self) -> str:
        """The deepest place above every household of the file (for the audit trail's scope)."""
        paths = [h.place.path for h in self.households if h.place is not None]
        if not paths:
            return ""
        common = ""
        for prefix in path_prefixes(paths[0]):
            if all(p.startswith(prefix) for p in paths):
                common = prefix
        return common


# --- labels ------------------------------------------------------------------------------------------

@functools.cache
def _labels(choices: type[TextChoices]) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for label in choices.labels]


@functools.cache
def _label_map(choices: type[TextChoices]) -> dict[str, str]:
    """Chinese label → stored value; the stored values themselves are accepted too."""
    with translation.override("zh-hans"):
        out = {str(label): value for value, label in choices.choices}
    out.update({value: value for value in choices.values})
    return out


# --- the template ------------------------------------------------------------------------------------

def import_places(user: Any) -> Any:
    """Places where ``user`` may import people: both 导入 and 修改 rights reach there."""
    return (
        Place.objects.visible_to(user, Perm.PEOPLE_IMPORT).visible_to(user, Perm.PEOPLE_CHANGE).filter(is_active=True)
    )


def people_template(*, user: Any) -> bytes:
    """The downloadable template: the data sheet with one example row, an instructions sheet and the
    codes of the places in the user's scope."""
    places = list(
        import_places(user).filter(level__in=[*HOUSEHOLD_PLACE_LEVELS, Level.GROUP]).order_by("path")[:5000]
    )
    example_place = next((p for p in places if p.level in HOUSEHOLD_PLACE_LEVELS), None)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([c.header for c in COLUMNS])
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9B1C1C" if col.required else "000000")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        if col.text:
            ws.column_dimensions[letter].number_format = "@"
        if col.choices is not None and col.key != "tags":
            dv = DataValidation(type="list", formula1='"' + ",".join(_labels(col.choices)) + '"', allow_blank=True,
                                showErrorMessage=True, error=f"请从下拉列表中选择{col.header}。", errorTitle=col.header)
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(dv)
    example = {
        "household_number": "", "head_id_number": "", "place_code": example_place.code if example_place else "419001100201",
        "group_name": "", "address": "某某村1组8号", "name": EXAMPLE_NAME, "id_number": EXAMPLE_ID,
        "relation": "户主", "phone": "13800000000", "residence_status": "常住", "political_status": "群众",
        "tags": "留守老人、低保",
    }
    ws.append([example[c.key] for c in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
        cell.number_format = "@"
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 60
    for line in [
        "人口台账导入模板（户与人员）",
        "1. 在“人员”表中每人一行。第2行是示例，导入前请删除或覆盖，否则会被当作错误拒绝。",
        "2. 同一户的各行填相同的户编号；户编号留空时，按“户主身份证号”归户。新户须有一行“与户主关系”为“户主”。",
        "3. 按公民身份号码识别：已登记的人员更新所填的各项，未登记的新增。留空的选填项不会覆盖已有信息。",
        "4. 全部行先逐一检查；只要有一行有错，整个文件都不导入，并列出每个错误所在的行号、列和原因。",
        f"5. 每个文件最多 {MAX_ROWS} 行。身份证号、手机号、代码列请保持“文本”格式，以免 Excel 丢失末几位。",
        "6. 已登记的户的住址、网格和村民小组不会通过导入修改；调整网格请在户页面办理。",
    ]:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([])
    notes.append(["列名", "必填", "说明", "可填的值"])
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font = Font(bold=True)
    for col in COLUMNS:
        allowed = "、".join(_labels(col.choices)) if col.choices is not None else ""
        notes.append([col.header, "是" if col.required else "", col.help, allowed])
    for row in notes.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    codes = wb.create_sheet("区划代码")
    codes.append(["代码", "名称", "层级", "所属村/社区"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    village_names = {p.path: p.name for p in places if p.level == Level.VILLAGE}
    missing = {p.path[:12] for p in places} - set(village_names)
    village_names.update(dict(Place.objects.filter(path__in=missing).values_list("path", "name")))
    for p in places:
        codes.append([p.code, p.name, p.get_level_display(), village_names.get(p.path[:12], "")])
    for letter, width in zip("ABCD", (22, 24, 10, 20), strict=True):
        codes.column_dimensions[letter].width = width
        codes.column_dimensions[letter].number_format = "@"

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading the file --------------------------------------------------------------------------------

def _open_sheet(content: bytes) -> Any:
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(NOT_XLSX + "旧版 .xls 文件请在 Excel 中“另存为” .xlsx 后再上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise FileRejected(NOT_XLSX)
            if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED_BYTES:
                raise FileRejected(NOT_XLSX + "文件解压后过大。")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRejected(NOT_XLSX)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; to the user they are all one thing
        raise FileRejected(NOT_XLSX)
    if not wb.worksheets:
        raise FileRejected(NOT_XLSX)
    return wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]


def _header_key(value: Any) -> str:
    text = re.sub(r"[\s*＊]|[（(]必填[)）]|[（(]选填[)）]", "", str(value or ""))
    return HEADER_TO_KEY.get(text, "")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _read_rows(content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, {column key: raw cell value}) for each non-blank data row."""
    ws = _open_sheet(content)
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None) or ()
    columns: dict[int, str] = {}
    for i, value in enumerate(header):
        key = _header_key(value)
        if key and key in columns.values():
            raise FileRejected(f"第1行的列“{COLUMN_BY_KEY[key].header}”出现了两次。")
        if key:
            columns[i] = key
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns.values()]
    if missing:
        raise FileRejected(f"第1行缺少列：{'、'.join(missing)}。请使用下载的模板填写。")
    count = 0
    for number, values in enumerate(ws.iter_rows(min_row=2, max_col=max(columns) + 1, values_only=True), start=2):
        cells = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRejected(f"数据超过 {MAX_ROWS} 行，请分成几个文件导入。")
        yield number, cells


# --- the validate-all pass ---------------------------------------------------------------------------

class _Collector:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, row: PersonRow | int, column_key: str, message: str) -> None:
        number = row if isinstance(row, int) else row.row
        if not isinstance(row, int):
            row.has_issue = True
        header = COLUMN_BY_KEY[column_key].header if column_key else ""
        self.issues.append(Issue(number, header, message))


def _choice(raw: str, choices: type[TextChoices], column_key: str, number: int, out: _Collector) -> str:
    if not raw:
        return ""
    value = _label_map(choices).get(raw)
    if value is None:
        out.add(number, column_key, f"“{raw}”无效，可选：{'、'.join(_labels(choices))}。")
        return ""
    return value


def _tags(raw: str, number: int, out: _Collector) -> list[str] | None:
    if not raw:
        return None
    mapping = {**_label_map(PersonTag), **TAG_ALIASES}
    tags: list[str] = []
    for part in TAG_SEPARATORS.split(raw):
        if not part:
            continue
        if part not in mapping:
            out.add(number, "tags", f"“{part}”不是可用的关注标签，可选：{'、'.join(_labels(PersonTag))}。")
            continue
        tags.append(str(mapping[part]))
    return list(dict.fromkeys(tags))


def error_column(exc: ValidationFailed) -> str:
    if exc.code in CODE_COLUMNS:
        return CODE_COLUMNS[exc.code]
    for col in COLUMNS:
        if exc.message.startswith(col.header) or (col.key == "id_number" and exc.message.startswith("身份证号")):
            return col.key
    return ""


def _parse_row(number: int, cells: dict[str, Any], out: _Collector) -> PersonRow:
    text = {key: _cell_text(cells.get(key)) for key in COLUMN_BY_KEY}
    before = len(out.issues)
    numeric = {key for key in ("id_number", "head_id_number")
               if isinstance(cells.get(key), float | int) and len(text[key]) > 15}
    for key in numeric:
        out.add(number, key, "号码被 Excel 当作数字保存，末几位已丢失；请把该列设为“文本”格式后重新填写。")
        text[key] = ""
    head_id = ""
    if text["head_id_number"]:
        try:
            head_id = parse_id_number(text["head_id_number"]).number
        except ValidationFailed as exc:
            out.add(number, "head_id_number", exc.message)
    if not text["place_code"]:
        out.add(number, "place_code", "请填写网格/村代码。")
    for key, limit in (("household_number", 32), ("address", 200), ("group_name", 100)):
        if len(text[key]) > limit:
            out.add(number, key, f"{COLUMN_BY_KEY[key].header}过长（最多 {limit} 字）。")
            text[key] = ""
    raw = {
        "name": text["name"],
        "id_number": text["id_number"],
        "phone": text["phone"],
        "relation": _choice(text["relation"], Relation, "relation", number, out),
        "residence_status": _choice(text["residence_status"], ResidenceStatus, "residence_status", number, out),
        "political_status": _choice(text["political_status"], PoliticalStatus, "political_status", number, out),
    }
    tags = _tags(text["tags"], number, out)
    if tags is not None:
        raw["tags"] = tags
    id_number = ""
    if not text["id_number"] and "id_number" not in numeric:
        out.add(number, "id_number", "导入须填写公民身份号码（按身份证号识别人员是否已登记）。")
    try:
        clean = clean_person_data(raw)
    except ValidationFailed as exc:
        out.add(number, error_column(exc), exc.message)
        with contextlib.suppress(ValidationFailed):  # another cell is wrong; the number still groups the row
            id_number = parse_id_number(text["id_number"]).number
    else:
        id_number = clean["id_number"] or ""
        if id_number == EXAMPLE_ID and clean["name"] == EXAMPLE_NAME:
            out.add(number, "name", "这是模板中的示例行，请删除后再导入。")
    provided = {k: v for k, v in raw.items() if k in PERSON_KEYS and v not in ("", None)}
    row = PersonRow(row=number, household_number=text["household_number"], head_id_number=head_id,
                    place_code=text["place_code"], group_name=text["group_name"], address=text["address"],
                    id_number=id_number, provided=provided)
    row.has_issue = len(out.issues) > before
    return row


def _chunked(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), LOOKUP_CHUNK):
        yield items[i : i + LOOKUP_CHUNK]


def plan_people_import(*, user: Any, content: bytes) -> ImportPlan:
    """Read and check the whole file. Raises FileRejected if the file cannot be read at all; otherwise
    returns the households to write and, if anything is wrong, every issue found (then nothing may be written)."""
    out = _Collector()
    rows = [_parse_row(number, cells, out) for number, cells in _read_rows(content)]
    plan = ImportPlan(row_count=len(rows))
    if not rows:
        raise FileRejected("文件中没有数据行（第1行为列名，数据从第2行开始）。")

    # Look everything up in bulk, scope first: a place out of scope is "unknown" (never "not yours").
    places: dict[str, Place] = {}
    for chunk in _chunked(r.place_code for r in rows if r.place_code):
        places.update({p.code: p for p in import_places(user).filter(code__in=chunk)})
    ids = {r.id_number for r in rows if r.id_number} | {r.head_id_number for r in rows if r.head_id_number}
    persons: dict[str, Person] = {}
    for chunk in _chunked(ids):
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=chunk).select_related("household")})
    households: dict[str, Household] = {}
    for chunk in _chunked(r.household_number for r in rows if r.household_number):
        households.update({h.number: h for h in Household.objects.filter(number__in=chunk).select_related("place")})

    def in_scope(path: str) -> bool:
        return user.has_perm_at(Perm.PEOPLE_IMPORT, path) and user.has_perm_at(Perm.PEOPLE_CHANGE, path)

    # Row by row: place, duplicates, the person already registered, the relation they will have.
    first_seen: dict[str, int] = {}
    for r in rows:
        place = places.get(r.place_code)
        if r.place_code and place is None:
            out.add(r, "place_code", f"未知区划：“{r.place_code}”不存在或不在您的管辖范围内。")
        elif place is not None and place.level not in HOUSEHOLD_PLACE_LEVELS:
            out.add(r, "place_code", f"“{place.name}”是{place.get_level_display()}；户只能登记在村/社区、网格或微网格。")
        if r.id_number:
            if r.id_number in first_seen:
                out.add(r, "id_number", f"公民身份号码与第 {first_seen[r.id_number]} 行重复。")
            else:
                first_seen[r.id_number] = r.row
            person = persons.get(r.id_number)
            if person is not None and not in_scope(person.place_path):
                out.add(r, "id_number", "该身份证号已登记在册，但不在您的管辖范围内，不能通过导入修改。")
            else:
                r.person = person
        r.relation = r.provided.get("relation") or (r.person.relation if r.person else Relation.OTHER)

    # Group rows into households: by 户编号, else by the head's identity number.
    head_number: dict[str, tuple[str, int]] = {}
    for r in rows:
        head = r.head_id_number or (r.id_number if r.relation == Relation.HEAD else "")
        if r.household_number and head:
            seen = head_number.setdefault(head, (r.household_number, r.row))
            if seen[0] != r.household_number:
                out.add(r, "household_number", f"同一户主在第 {seen[1]} 行的户编号是“{seen[0]}”，与本行不同。")
    groups: dict[tuple[str, str], list[PersonRow]] = {}
    for r in rows:
        head = r.head_id_number or (r.id_number if r.relation == Relation.HEAD else "")
        if r.household_number:
            key = ("number", r.household_number)
        elif head:
            key = ("number", head_number[head][0]) if head in head_number else ("head", head)
        else:
            if not (r.has_issue and not r.id_number):  # a bad identity number is reported already
                out.add(r, "household_number", "请填写户编号或户主身份证号，以便归户（户主本人一行把与户主关系填为“户主”即可）。")
            continue
        groups.setdefault(key, []).append(r)

    for (kind, key), members in groups.items():
        plan.households.append(_plan_household(kind, key, members, places, persons, households, in_scope, out))
    _check_groups(plan, out)
    plan.issues = sorted(out.issues, key=lambda i: (i.row or 0, [c.header for c in COLUMNS].index(i.column)
                                                    if i.column in HEADER_TO_KEY else 99))
    return plan


def _plan_household(kind: str, key: str, rows: list[PersonRow], places: dict[str, Place], persons: dict[str, Person],
                    households: dict[str, Household], in_scope: Any, out: _Collector) -> HouseholdPlan:
    first = rows[0]
    plan = HouseholdPlan(rows=rows, place=places.get(first.place_code))
    for r in rows[1:]:
        if r.place_code and first.place_code and r.place_code != first.place_code:
            out.add(r, "place_code", f"同一户各行的网格/村代码应相同（第 {first.row} 行为“{first.place_code}”）。")
    if kind == "number":
        existing = households.get(key)
        if existing is not None and not in_scope(existing.place_path):
            out.add(first, "household_number", f"户编号“{key}”不可用，请改用其他编号，或留空由系统编号。")
            existing = None
        elif existing is None:
            plan.number = key
        plan.existing = existing
    else:
        head = persons.get(key)
        if head is not None and in_scope(head.place_path):
            plan.existing = head.household
        elif head is not None:
            out.add(first, "head_id_number", "户主身份证号对应的人员不在您的管辖范围内。")
        elif not any(r.id_number == key for r in rows):
            out.add(first, "head_id_number", "户主身份证号对应的户主既不在本表中，也未登记在册。")
    existing = plan.existing
    if existing is not None and plan.place is not None and existing.place_id != plan.place.pk:
        out.add(first, "place_code", f"户 {existing.number} 登记在“{existing.place.name}”（{existing.place.code}），"
                                     "与所填代码不一致；调整网格请在户页面办理。")
    for r in rows:
        if r.person is not None and (existing is None or r.person.household_id != existing.pk):
            out.add(r, "id_number", f"此人已登记在户 {r.person.household.number}，导入不能变更所属户。")
        if kind == "head" and r.id_number == key and r.relation != Relation.HEAD:
            out.add(r, "relation", "其他行以本人为户主，本行的与户主关系应为“户主”。")
    heads = [r for r in rows if r.relation == Relation.HEAD]
    for r in heads[1:]:
        out.add(r, "relation", f"同一户只能有一名户主（第 {heads[0].row} 行已是户主）。")
    if existing is None:
        if not heads and not any(r.has_issue for r in rows):
            out.add(first, "relation", "新户须有一行“与户主关系”为“户主”。")
        plan.address = next((r.address for r in rows if r.address), "")
        if not plan.address:
            out.add(first, "address", "新户须填写住址。")
        for r in rows[1:]:
            if r.address and r.address != plan.address:
                out.add(r, "address", f"同一户各行的住址应相同（或只填一行）。第 {first.row} 行起为“{plan.address}”。")
    elif heads and existing.head_id and (heads[0].person is None or heads[0].person.pk != existing.head_id):
        demoted = any(r.person is not None and r.person.pk == existing.head_id and r.relation != Relation.HEAD
                      for r in rows)
        if not demoted:
            out.add(heads[0], "relation", f"户 {existing.number} 已有户主{existing.head_name}；如需变更户主，"
                                          "请在本表中同时把原户主的与户主关系改为其他。")
    return plan


def _check_groups(plan: ImportPlan, out: _Collector) -> None:
    """村民小组 of new households: one query for all of them."""
    wanted = [h for h in plan.households if h.existing is None and h.place is not None and any(r.group_name for r in h.rows)]
    if not wanted:
        return
    village_paths = {h.place.path[:12] for h in wanted if h.place is not None}
    groups = {
        (g.path[:12], g.name): g
        for g in Place.objects.filter(level=Level.GROUP, parent__path__in=village_paths, is_active=True)
    }
    for h in wanted:
        assert h.place is not None
        name = next(r.group_name for r in h.rows if r.group_name)
        row = next(r for r in h.rows if r.group_name)
        h.group = groups.get((h.place.path[:12], name))
        if h.group is None:
            out.add(row, "group_name", f"村民小组“{name}”不在该村，请先在区划中建立或改正名称。")
        for r in h.rows:
            if r.group_name and r.group_name != name:
                out.add(r, "group_name", f"同一户各行的村民小组应相同（第 {row.row} 行为“{name}”）。")
