import datetime as dt

import pytest

from shanzhi.core.errors import ValidationFailed
from shanzhi.core.identity import (
    check_character,
    cross_check,
    make_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    parse_id_number,
    validate_phone,
)
from shanzhi.core.text import pinyin_keys


def test_check_character_matches_gb11643_example():
    # The standard's worked example: 11010519491231002X
    assert check_character("11010519491231002") == "X"
    facts = parse_id_number("11010519491231002x")
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.sex == "F"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_number_required"),
        ("12345", "id_number_format"),
        ("41900119800230001X", "id_number_birth"),
        ("419001203001010011", "id_number_birth"),
        ("110105194912310021", "id_number_checksum"),
    ],
)
def test_bad_identity_numbers_have_chinese_reasons(value, code):
    with pytest.raises(ValidationFailed) as exc:
        parse_id_number(value, today=dt.date(2026, 11, 22))
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_sex_and_birth_cross_checked():
    number = make_id_number("419001", dt.date(1980, 5, 17), 13)  # odd sequence → male
    facts = parse_id_number(number)
    assert facts.sex == "M"
    cross_check(facts, birth_date=dt.date(1980, 5, 17), sex="M")
    with pytest.raises(ValidationFailed):
        cross_check(facts, birth_date=dt.date(1980, 5, 18), sex=None)
    with pytest.raises(ValidationFailed):
        cross_check(facts, birth_date=None, sex="F")


def test_phone_validation():
    assert validate_phone("+86 138-0013-8000") == "13800138000"
    for bad in ["12800138000", "1380013800", "abc"]:
        with pytest.raises(ValidationFailed):
            validate_phone(bad)


def test_masks():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_pinyin_keys():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("重庆") == ("chongqing", "cq")
