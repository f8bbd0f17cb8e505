"""The registry of connectors: one per process, owned by the affiliates app config."""

import pytest

from affiliates.commissions.networks.awin import AwinConnector
from affiliates.commissions.networks.base import (
    Connector,
    ConnectorRegistry,
    connector_registry,
)
from affiliates.commissions.networks.jd import JdUnionConnector
from affiliates.models import ConnectionKind


def test_the_process_pulls_each_network_with_its_connector_and_no_postback():
    registry = connector_registry()
    assert registry.kinds() == sorted(
        [
            ConnectionKind.AWIN,
            ConnectionKind.IMPACT,
            ConnectionKind.JD_UNION,
            ConnectionKind.PDD_DDK,
            ConnectionKind.TAOBAO_UNION,
        ]
    )
    assert registry.get(ConnectionKind.AWIN) is AwinConnector
    assert registry.get(ConnectionKind.TEMPLATED_POSTBACK) is None
    assert registry.get(ConnectionKind.AMAZON_ASSOCIATES) is None


def test_a_connector_of_no_known_kind_is_refused():
    class Stray(Connector):
        kind = "carrier-pigeon"

    with pytest.raises(ValueError, match="carrier-pigeon"):
        ConnectorRegistry([AwinConnector, Stray])


def test_two_connectors_of_one_kind_are_refused():
    class OtherJd(Connector):
        kind = ConnectionKind.JD_UNION

    with pytest.raises(ValueError, match="jd-union"):
        ConnectorRegistry([JdUnionConnector, OtherJd])


def test_a_replaced_connector_is_used_and_the_replacement_only_lasts_the_test(
    connector_replace,
):
    class Replacement(Connector):
        kind = ConnectionKind.AWIN

    connector_replace(ConnectionKind.AWIN, Replacement)
    connector_replace(ConnectionKind.JD_UNION, None)
    assert connector_registry().get(ConnectionKind.AWIN) is Replacement
    assert ConnectionKind.JD_UNION not in connector_registry().kinds()


def test_the_replacements_of_the_test_before_are_gone():
    # Runs after the test above (pytest keeps a module's order).
    assert connector_registry().get(ConnectionKind.AWIN) is AwinConnector
    assert ConnectionKind.JD_UNION in connector_registry().kinds()
