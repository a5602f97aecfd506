"""The developer-text checker itself: what it finds and what it lets through as data."""

from jiaozheng.core.testing.texts import findings


def test_english_words_code_names_and_placeholders_are_found():
    found = findings("page", "Location and devices · visits.routine_visits · {{ name }} · [S30]")
    kinds = " ".join(found)
    assert "English 'Location'" in kinds
    assert "code identifier 'visits.routine_visits'" in kinds
    assert "placeholder" in kinds
    assert "citation tag" in kinds


def test_record_numbers_are_data_not_english():
    assert findings("page", "合同编号 HT-2026-001，报告编号 431224-XL-2026-0001") == []


def test_a_word_beside_a_number_is_still_found():
    assert findings("page", "HT 合同") != []
