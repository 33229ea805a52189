"""Deadline and worker settings from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.env import env_int

# Seconds between two runs of the periodic sweeps (reminders, escalation, auto-close, pruning).
SWEEP_INTERVAL = env_int("ADUAN_SWEEP_INTERVAL", 300, minimum=10, maximum=86_400)
# Share of a step's working days after which the people responsible get a reminder.
REMINDER_PERCENT = env_int("ADUAN_REMINDER_PERCENT", 80, minimum=1, maximum=99)
# A sweep task running longer than this is taken for dead (its worker crashed) and scheduled again.
SWEEP_STALE_SECONDS = 3600
