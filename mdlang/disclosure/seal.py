"""The seal that lets mdlang.disclosure — and nothing else — construct released results.

Only modules inside ``mdlang/disclosure/`` may import this; ``tests/test_boundary.py`` enforces it.
"""

SEAL = object()
