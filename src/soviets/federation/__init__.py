"""Federated planning: councils as agents that agree on production by messages.

:func:`plan_federated` runs the protocol of :mod:`.protocol` on an economy,
in this process or on Ray, and returns the same :class:`~soviets.planning.Plan`
as the central planner, with the agreements and the protocol's counts.
"""

from soviets.federation.log import MessageLog
from soviets.federation.protocol import RUNTIMES, Network, plan_federated

__all__ = ["RUNTIMES", "MessageLog", "Network", "plan_federated"]
