"""``python -m mdlang`` runs the command line."""

from mdlang.cli import main

raise SystemExit(main())
