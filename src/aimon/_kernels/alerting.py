"""Alert policy scan: turn per-point anomaly scores into alert episodes.

One pass over the scores of a regular grid. A run of ``min_points`` consecutive points with
score >= ``open_at`` opens an episode (it *fires* at the last point of that run); the episode
stays open until a point scores below ``close_at`` (hysteresis: ``close_at <= open_at``).
A single point scoring >= ``fire_at`` (far outside the band) fires at once. Missing points (NaN)
never count towards a run (they reset it) and never close an open episode.
After an episode closes, no new one fires for ``cooldown`` points. An episode that would fire
while ``max_alerts`` episodes already fired within the last ``per`` points is kept but marked
suppressed (it does not page, and it does not count towards the limit).
``confirmed`` (one value per point) gates the opening: a point below ``fire_at`` counts towards
a run only where ``confirmed`` is > 0 (the anomaly likelihood says the recent scores are unusual
for this series); elsewhere it resets the run like a point inside the band. It does not close
an open episode.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def scan(score, open_at, close_at, min_points, cooldown, max_alerts, per, fire_at, confirmed):
    """Episodes of ``score`` as arrays (start, fire, end, suppressed); ends are inclusive.

    An episode still open at the last point ends at its last point scoring >= ``close_at``.
    A point scoring >= ``fire_at`` fires at once, without waiting for ``min_points``
    (``fire_at = inf`` turns that off). ``max_alerts <= 0`` means no limit.
    """
    n = score.shape[0]
    start = np.empty(n, np.int64)
    fire = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    supp = np.empty(n, np.int64)
    k = 0
    run = 0
    run_start = 0
    is_open = False
    last_high = -1
    quiet_until = -1          # no episode may fire at an index <= quiet_until
    for i in range(n):
        s = score[i]
        if is_open:
            if s >= close_at:
                last_high = i
            elif s < close_at:  # False for NaN: a missing point keeps the episode open
                end[k] = last_high
                k += 1
                is_open = False
                quiet_until = last_high + cooldown
                run = 0
            continue
        if s >= open_at and (confirmed[i] > 0 or s >= fire_at):
            if run == 0:
                run_start = i
            run += 1
            if (run >= min_points or s >= fire_at) and i > quiet_until:
                fired = 0
                if max_alerts > 0:
                    j = k - 1
                    while j >= 0 and fire[j] > i - per:
                        if supp[j] == 0:
                            fired += 1
                        j -= 1
                start[k] = run_start
                fire[k] = i
                supp[k] = 1 if (max_alerts > 0 and fired >= max_alerts) else 0
                is_open = True
                last_high = i
        else:
            run = 0
    if is_open:
        end[k] = last_high
        k += 1
    return start[:k].copy(), fire[:k].copy(), end[:k].copy(), supp[:k].copy()
