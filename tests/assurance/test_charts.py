from assurance.charts import pareto_svg


def test_pareto_draws_a_bar_per_standard_and_the_cumulative_line():
    svg = pareto_svg([("2.1", "Staff <knock> first", 6, 60), ("4.3", "Food", 4, 100)])
    assert svg.count("<rect") == 2 and "<polyline" in svg
    assert "&lt;knock&gt;" in svg and "<knock>" not in svg


def test_no_bars_no_chart():
    assert pareto_svg([]) == ""
