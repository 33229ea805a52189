"""Deadline and worker settings from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.env import env_int

# Seconds between two runs of the periodic sweeps (reminders, escalation, auto-close, pruning).
SWEEP_INTERVAL = env_int("ADUAN_SWEEP_INTERVAL", 300, minimum=10, maximum=86_400)
# Share of a step's working days after which the people responsible get a reminder.
REMINDER_PERCENT = env_int("ADUAN_REMINDER_PERCENT", 80, minimum=1, maximum=99)
# A task RUNNING under a worker not seen for this many seconds is taken up again (its worker
# died); a live worker says so every quarter of it, also while it runs a long task.
TASK_LEASE_SECONDS = env_int("ADUAN_TASK_LEASE_SECONDS", 120, minimum=10, maximum=86_400)
# A task whose workers died this many times (a task that kills its worker) is marked failed.
TASK_MAX_ATTEMPTS = 3
