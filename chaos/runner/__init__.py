"""The runner: the only package that wires faults, clients, workload and checker together."""
