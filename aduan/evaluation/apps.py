from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "aduan.evaluation"
    label = "evaluation"

    def ready(self) -> None:
        # Keep the pre-aggregated counts honest: every committed workflow event marks the
        # submission day of its report stale (see aduan/evaluation/counts.py).
        from aduan.evaluation.counts import mark_stale
        from aduan.workflow.services import after_commit_hooks, statement_hooks

        if mark_stale not in after_commit_hooks:
            after_commit_hooks.append(mark_stale)
        statement_hooks.add(mark_stale)
