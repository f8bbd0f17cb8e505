"""Fixtures of the webhooks' tests: a real receiver and a signed-in editor."""

import pytest
from django.test import Client

from tests.content.webhook_receiver import receiver_running


@pytest.fixture
def receiver(local_servers_allowed):
    """A receiver on 127.0.0.1, allowed for the test (``local_servers_allowed``)."""
    with receiver_running() as running:
        yield running


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client
