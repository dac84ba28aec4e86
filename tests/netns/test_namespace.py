"""NetworkNamespace: short TCP timers and loopback up inside, nothing left outside afterwards."""

from __future__ import annotations

import os

import pytest

from chaos.errors import CapabilityMissingError, FaultError, NetworkNamespaceError
from chaos.netns import Firewall, KeepaliveTiming, NetworkNamespace
from chaos.netns.namespace import remove_stale_namespaces
from chaos.owner import owner_tag

from .support import main_namespace_nft_tables, namespace_names, requires_net_admin


def _sysctl(namespace: NetworkNamespace, name: str) -> str:
    """Read a sysctl inside the namespace (``ip netns exec <name> sysctl -n``)."""
    return namespace.output(["sysctl", "-n", name]).strip()


def _net_namespace_inode(path: str) -> int:
    return os.stat(path).st_ino


@requires_net_admin
def test_namespace_has_loopback_up_and_the_requested_tcp_timers():
    with open("/proc/sys/net/ipv4/tcp_keepalive_time") as main_value:
        main_keepalive = main_value.read()
    timing = KeepaliveTiming(idle=2, interval=1, probes=3)
    with NetworkNamespace(keepalive=timing, tcp_retries2=4) as namespace:
        link = namespace.output(["ip", "-o", "link", "show", "lo"])
        flags = link.split("<", 1)[1].split(">", 1)[0].split(",")
        assert "UP" in flags
        assert _sysctl(namespace, "net.ipv4.tcp_keepalive_time") == "2"
        assert _sysctl(namespace, "net.ipv4.tcp_keepalive_intvl") == "1"
        assert _sysctl(namespace, "net.ipv4.tcp_keepalive_probes") == "3"
        assert _sysctl(namespace, "net.ipv4.tcp_retries2") == "4"
    with open("/proc/sys/net/ipv4/tcp_keepalive_time") as main_value:
        assert main_value.read() == main_keepalive


@requires_net_admin
def test_default_timers_detect_a_dead_idle_connection_in_three_seconds(namespaced_server):
    namespace, _server = namespaced_server
    assert namespace.keepalive.detection_seconds == 3
    assert _sysctl(namespace, "net.ipv4.tcp_keepalive_time") == "1"
    assert _sysctl(namespace, "net.ipv4.tcp_keepalive_intvl") == "1"
    assert _sysctl(namespace, "net.ipv4.tcp_keepalive_probes") == "2"
    assert _sysctl(namespace, "net.ipv4.tcp_retries2") == "3"


@requires_net_admin
def test_namespace_and_its_rules_are_gone_after_the_context_manager():
    tables_before = main_namespace_nft_tables()
    with NetworkNamespace() as namespace:
        assert namespace.name.startswith(f"mchaos-{os.getpid()}-")
        assert namespace.name in namespace_names()
        Firewall(namespace, 3306).drop_both_ways()
        assert "mysql_chaos" in namespace.output(["nft", "list", "tables"])
        assert main_namespace_nft_tables() == tables_before
    assert namespace.name not in namespace_names()
    assert not os.path.exists(namespace.path)
    assert main_namespace_nft_tables() == tables_before


@requires_net_admin
def test_namespace_is_removed_when_the_body_raises():
    with pytest.raises(RuntimeError, match="body failed"):
        with NetworkNamespace() as namespace:
            Firewall(namespace, 3306).reset_both_ways()
            raise RuntimeError("body failed")
    assert namespace.name not in namespace_names()
    assert not os.path.exists(namespace.path)


@requires_net_admin
def test_stop_twice_is_harmless():
    namespace = NetworkNamespace().start()
    namespace.stop()
    namespace.stop()
    assert namespace.name not in namespace_names()


@requires_net_admin
def test_entered_moves_the_calling_thread_in_and_back_out():
    outside = _net_namespace_inode("/proc/thread-self/ns/net")
    with NetworkNamespace() as namespace:
        with namespace.entered():
            assert _net_namespace_inode("/proc/thread-self/ns/net") == _net_namespace_inode(
                namespace.path
            )
        assert _net_namespace_inode("/proc/thread-self/ns/net") == outside


@requires_net_admin
def test_stale_namespace_cleanup_keeps_namespaces_whose_owner_lives():
    with NetworkNamespace() as namespace:
        assert namespace.name not in remove_stale_namespaces()
        assert namespace.name in namespace_names()


def test_entering_a_namespace_that_was_not_started_raises():
    namespace = NetworkNamespace()
    with pytest.raises(NetworkNamespaceError, match="not started"):
        namespace.preexec()
    with pytest.raises(NetworkNamespaceError, match="not started"):
        with namespace.entered():
            pass


@requires_net_admin
def test_a_failing_rule_is_an_error_of_the_run_never_a_skip():
    """A broken nft rule once the run is going must fail the cell, not turn it into a skip."""
    with NetworkNamespace() as namespace:
        with pytest.raises(NetworkNamespaceError, match=r"nft -f - failed: .*syntax") as failed:
            namespace.run(["nft", "-f", "-"], input_text="table inet broken { chain c { nonsense")
        assert isinstance(failed.value, FaultError)
        assert not isinstance(failed.value, CapabilityMissingError)
        with pytest.raises(NetworkNamespaceError, match="failed"):
            namespace.output(["ip", "link", "show", "no-such-link"])


@requires_net_admin
def test_namespace_name_carries_the_owners_pid_and_start_time():
    with NetworkNamespace() as namespace:
        assert namespace.name.startswith(f"mchaos-{owner_tag()}-")
