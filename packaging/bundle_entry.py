"""The bundle's entry point: the ``inspector`` command (with no arguments, the desktop app)."""

from inspector.cli import main

raise SystemExit(main())
