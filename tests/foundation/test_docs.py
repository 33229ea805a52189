from pathlib import Path

from aduan.workflow.transitions import lifecycle_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_lifecycle_doc_is_the_table() -> None:
    assert lifecycle_markdown() in (ROOT / "docs" / "lifecycle.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
