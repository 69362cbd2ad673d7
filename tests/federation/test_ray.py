"""The Ray runtime gives the same plan as the in-process one (local loopback cluster)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from soviets.federation import plan_federated

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def ray_cluster():
    assert os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0"  # set by the runtime
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    yield ray
    ray.shutdown()


def test_ray_same_plan_as_inprocess(ray_cluster, examples, chain):
    assert ray_cluster.get_runtime_context().gcs_address.startswith("127.0.0.1")
    for eco in (examples["village"], chain):
        local = plan_federated(eco, shards=2)
        remote = plan_federated(eco, runtime="ray", shards=2)
        assert remote.extra["protocol"]["runtime"] == "ray"
        assert np.array_equal(local.activity, remote.activity)
        assert local.extra["agreements"] == remote.extra["agreements"]
        for key in ("rounds", "messages", "bytes", "segments", "history"):
            assert local.extra["protocol"][key] == remote.extra["protocol"][key], key
    faulty = plan_federated(chain, runtime="ray", faults={"mill-a": 8})
    assert faulty.status == "optimal" and not faulty.unmet
