"""Red team of issue 17's money features: /api/me/stats at the edges of the
calendar and with hostile input; confirmation pages that move nothing on GET and
money that moves once when a decision is posted twice."""

import pytest

from tests.affiliates.admin.test_views import (
    due,  # noqa: F401
    editor_client,  # noqa: F401
    editor_urls,
    everything,  # noqa: F401
    held,  # noqa: F401
    other_link,  # noqa: F401
    run,  # noqa: F401
    state,
)

pytestmark = pytest.mark.django_db

STATS = "/api/me/stats"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"start": "0001-01-01", "end": "9999-12-31"}, 200),
        ({"start": "9999-12-31", "end": "9999-12-31"}, 200),
        ({"start": "0001-01-01", "end": "0001-01-01"}, 200),
        ({"start": "10000-01-01", "end": "10000-01-02"}, 400),
        ({"start": "2026-01-01\x00", "end": "2026-01-02"}, 400),
        ({"start": "", "end": ""}, 400),
        ({"start": "-1-01-01", "end": "2026-01-02"}, 400),
        ({"start": "2026-01-01", "end": "2026-01-02", "creator_id": "1"}, 200),
    ],
)
def test_stats_edges_never_500(client, creator, query, status):
    client.force_login(creator.user)
    response = client.get(STATS, query)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")


# -- Money actions posted twice (a double click, a resubmitted form) ------------------


@pytest.mark.parametrize(
    "endpoint",
    ["conversion review", "payout decide", "payout run decide"],
)
def test_a_money_action_posted_twice_moves_money_once(
    editor_client,  # noqa: F811
    everything,  # noqa: F811
    endpoint,
):
    _method, path, data = editor_urls(**everything)[endpoint]
    assert editor_client.post(path, data).status_code == 302
    once = state()
    editor_client.post(path, data)
    assert state() == once


@pytest.mark.slow
def test_a_question_page_moves_nothing(editor_client, everything):  # noqa: F811
    before = state()
    for method, path, data in editor_urls(**everything).values():
        if method == "get":
            assert editor_client.get(path, data).status_code == 200, path
    assert state() == before
