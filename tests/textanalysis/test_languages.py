import pytest

from textanalysis.languages import language_guess, read_lexically


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Irrigation pumps", "en"),
        ("灌溉水泵", "zh"),
        ("ปั๊มน้ำเพื่อการชลประทาน", "th"),
        ("Насосы для орошения", "ru"),
        ("مضخات الري", "ar"),
        ("Odeurs d'une usine de farine de poisson", "fr"),
        ("Máy bơm tưới tiêu", "vi"),
        ("Pengolahan limbah cair pabrik kelapa sawit menjadi biogas", "id"),
        ("MBR膜生物反应器处理印染废水，COD 800 mg/L", "zh"),
        ("Очистка дымовых газов от SO2 и NOx", "ru"),
    ],
)
def test_language_guess_tells_the_languages_of_the_partner_countries(text, language):
    # given a short need title

    # when
    guessed = language_guess(text)

    # then
    assert guessed == language


def test_only_chinese_and_english_are_read_lexically():
    # given / when / then
    assert read_lexically("Odour from a fish-meal plant")
    assert read_lexically("鱼粉厂臭味扰民")
    assert not read_lexically("กลิ่นเหม็นจากโรงงานปลาป่น")
    assert not read_lexically("Pompes d'irrigation pour les rizières")
    assert read_lexically("12345 m³/h")
