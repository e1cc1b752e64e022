"""The torch drop-in tests run where torch and the upstream packages are importable (the harness
venv, `make test-integrations`); each module skips itself otherwise."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
