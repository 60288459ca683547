"""The grading side of the workbook: check toolkit, hidden graders, engine and CLI.

Never shipped to students: nothing in ``exercises/`` or ``release/`` imports it.
"""
__version__ = "0.1.0"
