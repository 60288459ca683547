"""Reference solutions: the single source of every exercise (see registry.py)."""
