import pytest

from core.exceptions import TransitionNotAllowed
from core.state_machine import StateMachine

MACHINE = StateMachine({"draft": {"active", "cancelled"}, "active": {"done"}, "done": set(), "cancelled": set()})


def test_allowed_targets_are_sorted():
    assert MACHINE.allowed("draft") == ["active", "cancelled"]
    assert MACHINE.allowed("done") == []


def test_illegal_transition_names_the_allowed_ones():
    with pytest.raises(TransitionNotAllowed) as caught:
        MACHINE.check("active", "draft")
    assert caught.value.allowed == ["done"]
    assert (caught.value.current, caught.value.requested) == ("active", "draft")
    assert "done" in str(caught.value.message)


def test_final_state_says_so():
    with pytest.raises(TransitionNotAllowed) as caught:
        MACHINE.check("done", "active")
    assert caught.value.allowed == []


def test_undeclared_target_is_refused_at_declaration():
    with pytest.raises(ValueError, match="ghost"):
        StateMachine({"a": {"ghost"}})


def test_a_machine_writes_the_status_field_unless_told_otherwise():
    assert StateMachine({"a": set()}).field == "status"
    assert StateMachine({"a": set()}, field="state").field == "state"


def test_an_unknown_current_state_allows_nothing():
    machine = StateMachine({"draft": {"active"}, "active": set()})
    assert machine.allowed("ghost") == []
    assert not machine.can("ghost", "active")
    with pytest.raises(TransitionNotAllowed) as caught:
        machine.check("ghost", "active")
    assert caught.value.allowed == []
