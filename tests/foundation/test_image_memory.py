"""Issue 12's bound, through the real stack: uWSGI with uwsgi.ini takes the 12000×12000 PNG
(~420 KB, 144 megapixels), the 30000×30000 bomb and a 12-megapixel photo, answers 400, 400 and 201,
and no worker's resident memory ever passes 300 MB (bench/image_memory.py --quick, which reads
each worker's peak, VmHWM, from /proc)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.foundation.test_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_hostile_images_leave_the_worker_under_300_mb() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "image_memory.py"), "--quick", "--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("answer 400 attachment_image_too_large") == 2, run.stdout
    assert "answer 201" in run.stdout and "SUMMARY image memory" in run.stdout
