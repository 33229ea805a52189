"""From an HTML form to `report_act`: which action forms a screen has, and their params.

Which actions a screen offers is `aduan.workflow.selectors.actions_available` (the API's offer
too), narrowed to those with a form here (`STAFF_FORM_ACTIONS`).
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from aduan.core.actors import Actor
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.workflow.models import FollowUp
from aduan.workflow.transitions import Action

STAFF_FORM_ACTIONS = {
    Action.HOLD,
    Action.RESUME,
    Action.VERIFY,
    Action.ARCHIVE,
    Action.MARK_DUPLICATE,
    Action.DISPOSE,
    Action.REDISPOSE,
    Action.ACCEPT,
    Action.RETURN,
    Action.DRAFT_FOLLOW_UP,
    Action.APPROVE_FOLLOW_UP,
    Action.SEND_BACK_FOLLOW_UP,
    Action.FOLLOW_UP,
    Action.COMPLETE,
    Action.CLOSE,
    Action.FORWARD,
    Action.RETURN_TO_ORIGIN,
}


def can_publish_directly(actor: Actor) -> bool:
    """Publishing a text without a draft: when the agency needs no approval, or by the approver."""
    if actor.role == Role.LIAISON_OFFICER:
        return True
    agency = Agency.objects.filter(pk=actor.agency_id or 0).first()
    return agency is not None and not agency.requires_approval


def publishable(actor: Actor, follow_up: FollowUp) -> bool:
    if (
        follow_up.state == FollowUp.State.PUBLISHED
        or not follow_up.is_public
        or follow_up.agency_id != actor.agency_id
    ):
        return False
    if follow_up.state == FollowUp.State.APPROVED:
        return True
    return follow_up.state == FollowUp.State.DRAFT and can_publish_directly(actor)


def category_from(post: QueryDict) -> str:
    return (post.get("category_sub") or post.get("category_top") or post.get("category") or "").strip()


def region_from(post: QueryDict) -> str:
    return (post.get("region_desa") or post.get("region_kecamatan") or post.get("region") or "").strip()


def params_from_post(action: str, post: QueryDict) -> dict[str, Any]:
    """The `report_act` params of one action, named by codes as the service expects."""
    get = post.get
    if action == Action.VERIFY:
        params: dict[str, Any] = {
            "classification": get("classification", ""),
            "category": category_from(post),
            "title": get("title", ""),
            "text": get("text", ""),
            "note": get("note", ""),
            # Unchecked boxes are absent from the POST: say "no" explicitly, the service keeps None.
            "anonymous": "anonymous" in post,
            "confidential": "confidential" in post,
        }
        region = region_from(post)
        if region:
            params["region"] = region
        return params
    if action in (Action.DISPOSE, Action.REDISPOSE):
        return {
            "lead": get("lead", ""),
            "supporting": [c for c in post.getlist("supporting") if c],
            "instruction": get("instruction", ""),
        }
    if action == Action.HOLD:
        return {"question": get("question", "")}
    if action == Action.RESUME:
        return {"answer": get("answer", "")}
    if action == Action.ARCHIVE:
        return {"reason": get("reason", ""), "note": get("note", "")}
    if action == Action.MARK_DUPLICATE:
        return {"of": get("of", "").strip()}
    if action == Action.RETURN:
        return {"reason": get("reason", ""), "proposed_agency": get("proposed_agency", "")}
    if action == Action.DRAFT_FOLLOW_UP:
        return {"text": get("text", ""), "public": "internal" not in post}
    if action in (Action.APPROVE_FOLLOW_UP, Action.SEND_BACK_FOLLOW_UP):
        return {"follow_up_id": _int(get("follow_up_id")), "note": get("note", "")}
    if action == Action.FOLLOW_UP:
        if get("follow_up_id"):
            return {"follow_up_id": _int(get("follow_up_id"))}
        return {"text": get("text", "")}
    if action in (Action.CLOSE, Action.RETURN_TO_ORIGIN):
        return {"reason": get("reason", "")}
    if action == Action.FORWARD:
        return {"agency": get("agency", ""), "note": get("note", "")}
    return {"note": get("note", "")}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def dispose_or_forward(action: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The dispose list offers a peer installation's agencies beside the OPDs: choosing one as the
    lead forwards the report there (the lifecycle's `forward`), with the instruction as its note."""
    if (
        action == Action.DISPOSE
        and Agency.objects.filter(code=params.get("lead") or "", kind=Agency.Kind.EXTERNAL).exists()
    ):
        return Action.FORWARD.value, {"agency": params["lead"], "note": params.get("instruction", "")}
    return action, params
