"""Red team of issue 17's creator-facing money features: /api/me/stats at the
edges of the calendar and with hostile input."""

import pytest

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
