"""ops.tables: any import reads a spreadsheet into rows of the text people see, found by their headings."""

import pytest

from ops.tables import Column, UploadError, parse_number, read_rows

COLUMNS = (Column("email", ("email", "emailaddress")), Column("course", ("course", "coursename")),
           Column("completed", ("completed", "completedon", "date")))


def test_columns_are_found_by_any_heading_that_means_them_and_lines_are_numbered():
    data = b"E-mail address,Course Name,Completed on,Extra\nsam@trust.nhs.uk,Pocket QI,2026-03-01,x\n,,,\n"
    rows, headings = read_rows(data, "export.csv", COLUMNS)
    assert headings == ["E-mail address", "Course Name", "Completed on", "Extra"]
    assert rows == [{"line": 2, "raw": {"email": "sam@trust.nhs.uk", "course": "Pocket QI",
                                        "completed": "2026-03-01"}}]


def test_a_chosen_mapping_replaces_the_headings_and_a_missing_column_is_named():
    data = b"Who,What\nsam@trust.nhs.uk,Pocket QI\n"
    rows, _ = read_rows(data, "export.csv", COLUMNS, mapping={"email": "Who", "course": "What", "completed": ""})
    assert rows[0]["raw"] == {"email": "sam@trust.nhs.uk", "course": "Pocket QI"}
    with pytest.raises(UploadError, match="not in the file: Whom"):
        read_rows(data, "export.csv", COLUMNS, mapping={"email": "Whom"})


def test_files_that_cannot_be_read_say_what_to_do():
    with pytest.raises(UploadError, match="CSV file"):
        read_rows(b"x", "export.pdf", COLUMNS)
    with pytest.raises(UploadError, match="limit is 1 MB"):
        read_rows(b"a" * (2 * 1024 * 1024), "big.csv", COLUMNS, max_bytes=1024 * 1024)
    with pytest.raises(UploadError, match="limit is 1"):
        read_rows(b"email\na\nb\n", "two.csv", COLUMNS, max_rows=1)


@pytest.mark.parametrize("text, number", [("12", 12), ("1,234", 1234), ("87%", 87), ("£1,200.50", 1200.5),
                                          ("1e308", None), ("twelve", None), ("", None)])
def test_numbers_are_read_as_people_write_them(text, number):
    assert parse_number(text) == number
