"""A task's reminder as reps type it in the `+` and batch task forms: minutes, hours, Chinese numerals and halves."""
import pytest

from tui_crm.screens.task_forms import read_remind


@pytest.mark.parametrize("typed, minutes", [("30", 30), ("30 min", 30), ("30分钟", 30), ("三十分钟", 30), ("十五", 15),
                                            ("1h", 60), ("2小时", 120), ("半小时", 30), ("半个小时", 30),
                                            ("一个半小时", 90), ("1.5h", 90), ("0", 0), ("", None)])
def test_a_reminder_read_as_typed(typed, minutes):
    errors: dict = {}
    assert read_remind({"remind": typed}, errors) == minutes and errors == {}


@pytest.mark.parametrize("typed", ["soon", "-5", "1.5", "10081", "八天"])
def test_a_reminder_out_of_reach_is_refused_in_words(typed):
    errors: dict = {}
    assert read_remind({"remind": typed}, errors) is None
    assert errors == {"remind": "a number of minutes, 0 to 10080"}
