"""A ward manager enters two years of monthly data in one save by pasting a column from Excel, is stopped at a
mistyped value far outside the history, confirms a real one, then removes a stray period with a reason."""

import datetime as dt

from measures import periods
from measures.models import ChangeAction, DataPointChange
from tests.factories import PASSWORD

from .test_measures_journey import ward_indicator  # noqa: F401 (Willow Ward's restraint indicator, a fixture)

VALUES = [14, 11, 13, 12, 15, 10, 12, 13, 11, 12, 14, 13, 12, 11, 13, 12, 15, 10, 12, 13, 11, 12, 14, 13]


def test_two_years_pasted_from_excel_go_in_with_one_save(page, live_server, login, shot, axe_check,
                                                          ward_indicator):  # noqa: F811
    measure = ward_indicator
    this_month = dt.date.today().replace(day=1)
    first = periods.add_periods(this_month, "month", -24)
    login("wardmanager", PASSWORD)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    # Excel's clipboard: month and value, tab-separated, one row a line; pasted into the first new row.
    text = "".join(f"{periods.add_periods(first, 'month', i):%b %Y}\t{v}\n" for i, v in enumerate(VALUES))
    cell = page.locator("tr.new-row input[name$='-value']").first
    cell.focus()
    page.evaluate("""text => {
      const data = new DataTransfer(); data.setData('text/plain', text);
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                                         cancelable: true}));
    }""", text)
    page.wait_for_selector("text=24 rows filled from what you pasted")
    assert page.locator("tr.new-row").count() == 24 and not measure.points.exists()
    assert page.locator("tr.new-row input[type=month]").first.input_value() == f"{first:%Y-%m}"
    shot("data-entry-pasted")
    axe_check("the data table filled from a paste")
    page.get_by_role("button", name="Save the data").click()
    page.wait_for_selector("text=Saved: 24 periods added")
    assert measure.points.count() == 24

    # A slip of the keyboard: 1300 for 13 in this month's new row is stopped, then confirmed once checked.
    row = page.locator("tr.new-row").first
    row.locator("input[type=month]").fill(f"{this_month:%Y-%m}")
    row.locator("input[name$='-value']").fill("1300")
    page.get_by_role("button", name="Save the data").click()
    page.wait_for_selector("text=far outside this measure's history")
    assert measure.points.count() == 24
    shot("data-entry-far-outside")
    page.get_by_label("It is right", exact=False).first.check()
    page.get_by_role("button", name="Save the data").click()
    page.wait_for_selector("text=Saved: 1 period added")

    # It was wrong after all: remove it, with the reason, and the history keeps it.
    label = periods.label(this_month, "month")
    page.get_by_role("link", name=f"Move or remove {label}").click()
    page.get_by_label("Why it is removed").fill("Typed 1300 for 13")
    page.get_by_role("button", name=f"Remove {label}").click()
    page.wait_for_selector(f"text={label} removed")
    assert measure.points.count() == 24
    change = DataPointChange.objects.get(action=ChangeAction.REMOVE)
    assert change.old["value"] == 1300 and change.reason == "Typed 1300 for 13"
    assert page.get_by_test_id("history").get_by_text("Typed 1300 for 13").is_visible()
    axe_check("the measure page after a removal")
