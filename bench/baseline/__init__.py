"""Hand-written pandas/numpy/statsmodels twins of the benchmark workloads (no interpreter, no
disclosure control): the yardstick that mdlang's run times are divided by."""
