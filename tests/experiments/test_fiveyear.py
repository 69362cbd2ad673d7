"""The USA five-year plan gives believable working weeks and obeys its scenario."""

import numpy as np

from soviets.experiments.fiveyear import WEEKS, run


def test_weeks_are_believable_and_extra_investment_costs_hours_in_year_one():
    r = run("data/wiod2016-usa/2010", utilisation=0.8, growth=0.02, extra=0.5)
    assert 33 < r["actual_week"] < 35.5  # WIOD 2010: 242.8 bn hours, 136.5 m employees
    (base_h, base_i), (more_h, more_i) = r["plans"].values()
    weeks = base_h / r["employees"] / WEEKS
    assert np.all((weeks > 25) & (weeks < 45))
    assert more_i[0] >= 0.5 * 2.3e6  # USD million: at least half of 2010's GFCF
    assert more_h[0] > base_h[0]  # investing more in year 1 costs hours that year
    assert more_h.sum() >= base_h.sum() * (1 - 1e-6)  # the least-hours plan stays least
