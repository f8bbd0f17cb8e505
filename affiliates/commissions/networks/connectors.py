"""The connectors this installation pulls with: one class per network. The affiliates
app config builds the process's registry from this list (``base.ConnectorRegistry``);
a network added here is pulled, one left out is not."""

from affiliates.commissions.networks.awin import AwinConnector
from affiliates.commissions.networks.impact import ImpactConnector
from affiliates.commissions.networks.jd import JdUnionConnector
from affiliates.commissions.networks.pdd import PddConnector
from affiliates.commissions.networks.taobao import TaobaoUnionConnector

CONNECTORS = (
    AwinConnector,
    ImpactConnector,
    JdUnionConnector,
    PddConnector,
    TaobaoUnionConnector,
)
