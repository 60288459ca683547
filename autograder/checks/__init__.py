"""The check toolkit every hidden grader is built from (see grading.py)."""
