"""The long-running service: scheduler, jobs, health, graceful shutdown, distributed workers."""
