"""``workbook grade`` (also ``python -m autograder.grade``): the grading engine's command line.

The engine lives in ``autograder.engine``: ``batch`` plans and resumes the class, ``judge``
runs the hidden graders, ``worker`` runs student code confined, ``wire`` carries plain data
between them.
"""
from __future__ import annotations

import sys

from autograder.engine.batch import main

if __name__ == "__main__":
    sys.exit(main())
