"""MySQL servers the faults act on: disposable local processes, containers, external URLs."""
