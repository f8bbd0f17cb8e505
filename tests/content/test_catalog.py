"""The catalog as content shows it (content.catalog): offers' buttons and fallbacks."""

from content.catalog import offers_for_reader


def _offer(pk, availability, goes_to=None, *, linked=True):
    return {
        "id": pk,
        "merchant": f"Shop {pk}",
        "price": f"{pk}00.00",
        "currency": "CNY",
        "availability": availability,
        "link": {
            "url": f"/go/code{pk}",
            "rel": "sponsored nofollow",
            "goes_to": {
                "offer_id": goes_to or pk,
                "merchant": f"Shop {goes_to or pk}",
                "price": f"{goes_to or pk}00.00",
                "currency": "CNY",
                "availability": "in_stock",
            },
        }
        if linked
        else None,
    }


def test_offers_for_reader_give_buttons_only_to_offers_in_stock():
    shown = offers_for_reader(
        offers=[
            _offer(1, "in_stock"),
            _offer(2, "out_of_stock", goes_to=1),
            _offer(3, "discontinued", goes_to=3),
        ]
    )
    assert [(item["buy"], item["fallback"]) for item in shown] == [
        (True, None),
        # Its link goes to offer 1, which has a button of its own.
        (False, None),
        (False, None),
    ]


def test_offers_for_reader_name_the_real_destination_of_a_link_that_falls_back():
    shown = offers_for_reader(
        offers=[
            _offer(1, "in_stock", linked=False),
            _offer(2, "out_of_stock", goes_to=1),
            _offer(3, "out_of_stock", goes_to=1),
        ]
    )
    assert [item["buy"] for item in shown] == [False, False, False]
    fallback = shown[1]["fallback"]
    assert fallback["merchant"] == "Shop 1" and fallback["price"] == "100.00"
    assert fallback["url"] == "/go/code2"
    # Offered once, not once per sold-out offer.
    assert shown[2]["fallback"] is None
