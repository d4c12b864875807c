import pytest

from jieru.text import normalize

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("京東賣家拒絕退款怎麼辦", "京东卖家拒绝退款怎么办"),
        ("閒魚買的東西退貨了", "闲鱼买的东西退货了"),
        ("ＪＤ訂單號２５０３１２３４５６７８", "jd订单号250312345678"),
        ("PDD　TB，在嗎？", "pdd tb,在吗?"),
        ("介入後多久出結果😭", "介入后多久出结果😭"),
    ],
)
def test_normalize_simplifies_half_widths_and_lowercases(typed, expected):
    assert normalize(typed) == expected


def test_normalize_keeps_the_length_so_offsets_survive():
    for typed in ["乾燥劑退貨", "頭髮吹風機發貨慢", "ＡＢＣ１２３　京東"]:
        assert len(normalize(typed)) == len(typed)
