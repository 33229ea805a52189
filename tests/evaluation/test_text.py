from aduan.evaluation.text import channel_sentence, number, period_phrase


def test_numbers_below_ten_in_words() -> None:
    assert [number(n) for n in (0, 1, 5, 9, 10, 46, 1200)] == [
        "nol",
        "satu",
        "lima",
        "sembilan",
        "10",
        "46",
        "1.200",
    ]


def test_channel_sentence_in_the_style_of_the_seed() -> None:
    assert channel_sentence({"web": 46, "mobile": 5, "sms": 1, "email": 0}) == (
        "Sebanyak 46 laporan melalui kanal website, lima melalui aplikasi mobile (Android), dan satu laporan melalui SMS."
    )
    assert (
        channel_sentence({"web": 3, "sms": 12})
        == "Sebanyak 12 laporan melalui SMS dan tiga laporan melalui kanal website."
    )
    assert channel_sentence({"web": 7}) == "Seluruh tujuh laporan masuk melalui kanal website."
    assert channel_sentence({"web": 0}) == ""


def test_period_phrase() -> None:
    assert period_phrase("Tahun 2022") == "tahun 2022"
    assert period_phrase("Maret 2022") == "bulan Maret 2022"
    assert period_phrase("05-03-2022 s.d. 01-04-2022") == "periode 05-03-2022 s.d. 01-04-2022"
