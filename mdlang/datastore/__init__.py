"""Datastores: versioned, read-only collections of register variables.

``store`` writes and opens versions, ``discovery`` finds them on the search path, ``build`` and
``validate`` turn a microdata-tools delivery into a version, ``metadata`` holds the variable
metadata contract. Importing this package loads neither pandas nor pyarrow.
"""
