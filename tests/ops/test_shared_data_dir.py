"""Nodes that share one data directory share its instance key, also when they start together on a
fresh one (aduan/settings.py writes the key aside and links it into place)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_nodes_starting_at_once_on_a_fresh_data_dir_get_one_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADUAN_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path)
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", "import aduan.settings as s; print(s.SECRET_KEY)"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starts}
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []
