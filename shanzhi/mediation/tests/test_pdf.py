"""The generated forms: their text layer (pdftotext) holds the parties' names and the art. 29 contents, and they
render to PNG (pdftoppm) with Chinese glyphs (not tofu: the text layer maps back to the characters)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shanzhi.mediation import pdf
from shanzhi.mediation import services as s

from .conftest import MON, pdf_file
from .test_flow import AGREEMENT, walk_to_mediating

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                                 reason="poppler-utils not installed")]


def text_of(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / name)], check=True)
    png = tmp_path / f"{name}-1.png"
    assert png.exists() and png.stat().st_size > 5000
    # The Chinese is drawn with an embedded CJK font (a missing font would fall back to boxes).
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "Noto" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    return out


@pytest.fixture
def settled(med, register):
    case = register()
    walk_to_mediating(med, case)
    s.case_agree(acting_user=med.med_user, case=case, **AGREEMENT, now=MON)
    s.visit_record(acting_user=med.med_user, case=case, visited_on="2026-11-16", way="phone", visited_party="刘一",
                   performance="done", feedback="已履行完毕。", now=MON)
    s.document_upload(acting_user=med.med_user, case=case, kind="agreement", title="签署件", file=pdf_file())
    s.document_upload(acting_user=med.med_user, case=case, kind="identity", title="身份证", file=pdf_file())
    s.court_report(acting_user=med.med_user, case=case, note="函告法院")
    s.case_archive(acting_user=med.med_user, case=case, retention="30y", now=MON)
    case.refresh_from_db()
    return case


def test_agreement_text(settled, tmp_path):
    text = text_of(pdf.form_pdf(settled, "agreement"), tmp_path, "agreement")
    compact = "".join(text.split())
    for needle in ("人民调解协议书", "刘一", "陈二", "纠纷主要事实、争议事项", "各方当事人的责任", "被申请人负主要责任",
                   "赔偿申请人修缮费2000元", "履行方式", "现金一次性支付", "2026年12月31日", "本协议一式3份",
                   "当事人各执一份，调解委员会留存一份", "调解委员会印章", "东坡村人民调解委员会", "李调解"):
        assert needle in compact, needle


def test_record_cover_and_others(settled, tmp_path):
    record = "".join(text_of(pdf.form_pdf(settled, "record"), tmp_path, "record").split())
    assert "人民调解记录" in record and "双方陈述，调解员释法说理" in record and "东坡村调解室" in record
    cover = "".join(text_of(pdf.form_pdf(settled, "cover"), tmp_path, "cover").split())
    assert "人民调解卷宗" in cover and "（2026）济克东人调字第1号" in cover and "长期（30年）" in cover
    assert "李调解、赵大姐" in cover and "2026年11月16日" in cover
    for kind, needle in (("application", "人民调解受理登记表"), ("rights_notice", "当事人享有下列权利"),
                         ("return_visit", "已履行完毕")):
        assert needle in "".join(text_of(pdf.form_pdf(settled, kind), tmp_path, kind).split()), kind
