"""Entry point for ``python -m sharedservices``."""

import sys

from sharedservices.cli import main

sys.exit(main())
