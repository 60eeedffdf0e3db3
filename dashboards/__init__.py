"""The review dashboard: a thin FastAPI layer over monitor.review and monitor.reports."""
