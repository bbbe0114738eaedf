"""Every state machine's whole table, written from SPEC.md §4 and the issues — not read back from the code: for
every (from, to) pair of a machine's states the move is allowed, or refused naming the allowed ones (409), exactly
as specified. A move added or dropped in the code's table fails here.

Where SPEC's arrows leave a choice open, the issue that settled it is named beside the line."""

from itertools import product

import pytest

from clients.services import CLIENT_STATUS
from core.exceptions import TransitionNotAllowed
from labtests.services import ITEM_STATUS, ORDER_STATUS
from milestones.clocks import CLOCK_ACTIONS
from milestones.services import MILESTONE_STATUS, SUBMISSION_STATUS
from projects.services import PROJECT_STATUS


def table(*lines: str) -> dict[str, set[str]]:
    """``"a → b, c"`` lines (an empty right side: a final state) into {state: allowed targets}."""
    moves: dict[str, set[str]] = {}
    for line in lines:
        source, _, targets = line.partition("→")
        moves[source.strip()] = {t.strip() for t in targets.split(",") if t.strip()}
    return moves


SPECIFIED = {
    # §4 clients: prospect → active → inactive, reactivation allowed
    "client": (CLIENT_STATUS, table("prospect → active", "active → inactive", "inactive → active")),
    # §4 projects: draft → active ⇄ on_hold → completed → closed; cancelled from draft/active/on_hold
    "project": (
        PROJECT_STATUS,
        table(
            "draft → active, cancelled",
            "active → on_hold, completed, cancelled",
            "on_hold → active, cancelled",
            "completed → closed",
            "closed →",
            "cancelled →",
        ),
    ),
    # §4 submissions: planned → preparing → submitted → accepted → under_review ⇄ deficiency → decision_pending →
    # approved | rejected | withdrawn; submitted → refused → preparing. Withdrawal is the applicant's right until
    # the decision; review_terminated (the dates issue) ends a deficiency whose window ran out, and is left only by
    # a response dated inside the window — or (the statutory-periods issue) by the refusal that follows at NMPA.
    "submission": (
        SUBMISSION_STATUS,
        table(
            "planned → preparing, withdrawn",
            "preparing → submitted, withdrawn",
            "submitted → accepted, refused, withdrawn",
            "refused → preparing, withdrawn",
            "accepted → under_review, withdrawn",
            "under_review → deficiency, decision_pending, withdrawn",
            "deficiency → under_review, review_terminated, withdrawn",
            "review_terminated → under_review, rejected",
            "decision_pending → approved, rejected, withdrawn",
            "approved →",
            "rejected →",
            "withdrawn →",
        ),
    ),
    # §4 milestones: not_started → in_progress → done; blocked; skipped. A done milestone can be reopened, a
    # skipped one taken back; a blocked one resumes or is finished. The portal issue: a client's request, answered
    # (open or in progress), awaits acceptance; the PM accepts it (done) or sends it back (in progress).
    "milestone": (
        MILESTONE_STATUS,
        table(
            "not_started → in_progress, done, blocked, skipped, awaiting_acceptance",
            "in_progress → done, blocked, not_started, awaiting_acceptance",
            "blocked → in_progress, not_started, done",
            "done → in_progress",
            "skipped → not_started",
            "awaiting_acceptance → done, in_progress",
        ),
    ),
    # §4 test orders: draft → submitted → accepted → samples_received → in_testing → to_be_verified → verified →
    # report_issued → closed; on_hold from accepted…in_testing (and back); rejected; cancelled before testing.
    # A retest (retract) takes a verified or reported order back to in_testing.
    "test_order": (
        ORDER_STATUS,
        table(
            "draft → submitted, cancelled",
            "submitted → accepted, rejected, cancelled",
            "accepted → samples_received, on_hold, rejected, cancelled",
            "samples_received → in_testing, on_hold, cancelled",
            "in_testing → to_be_verified, on_hold",
            "to_be_verified → verified, in_testing",
            "verified → report_issued, in_testing",
            "report_issued → closed, in_testing",
            "on_hold → accepted, samples_received, in_testing, cancelled",
            "closed →",
            "rejected →",
            "cancelled →",
        ),
    ),
    # §4 test items: registered → assigned → in_progress → submitted → verified; retracted (a retest item takes
    # over); cancelled. A manager may re-assign an assigned or started item.
    "test_item": (
        ITEM_STATUS,
        table(
            "registered → assigned, cancelled",
            "assigned → assigned, in_progress, submitted, cancelled",
            "in_progress → submitted, assigned",
            "submitted → verified, retracted",
            "verified → retracted",
            "retracted →",
            "cancelled →",
        ),
    ),
}

PAIRS = [
    (name, source, target)
    for name, (_machine, spec) in SPECIFIED.items()
    for source, target in product(sorted(spec), sorted(spec))
]


@pytest.mark.parametrize(("name", "source", "target"), PAIRS)
def test_every_pair_is_allowed_or_refused_as_specified(name, source, target):
    machine, spec = SPECIFIED[name]
    if target in spec[source]:
        machine.check(source, target)
        assert target in machine.allowed(source)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            machine.check(source, target)
        assert refused.value.allowed == sorted(spec[source])  # the 409 names exactly the specified moves


@pytest.mark.parametrize("name", sorted(SPECIFIED))
def test_the_machine_knows_exactly_the_specified_states(name):
    machine, spec = SPECIFIED[name]
    assert {state: set(machine.allowed(state)) for state in spec} == spec
    assert set(machine.transitions) == set(spec)


# §4 review clocks: not_started → running ⇄ paused; running / paused → stopped; stopped → running by restart, with a
# fresh budget; running → expired. The dates issue added: a paused clock may restart (an NMPA supplement during an
# FDA-style pause is never mixed, but the restart of a paused round is the NMPA rule), an expired one may be
# stopped by the decision or restarted by a late-recorded response.
CLOCK_SPEC = {
    "start": ({"not_started"}, "running"),
    "pause": ({"running"}, "paused"),
    "resume": ({"paused"}, "running"),
    "restart": ({"stopped", "paused", "expired"}, "running"),
    "stop": ({"running", "paused", "expired"}, "stopped"),
}
CLOCK_STATES = ["not_started", "running", "paused", "stopped", "expired"]


@pytest.mark.parametrize(("action", "state"), list(product(sorted(CLOCK_SPEC), CLOCK_STATES)))
def test_every_clock_action_from_every_state_is_as_specified(action, state):
    sources, target = CLOCK_ACTIONS[action]
    expected_sources, expected_target = CLOCK_SPEC[action]
    assert (state in sources) is (state in expected_sources)
    assert target == expected_target
