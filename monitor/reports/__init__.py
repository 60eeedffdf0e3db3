"""Reports: the one statistics module (stats.py) used by the dashboard, digest and yearly report."""
