"""scipy calls whose spelling changed across the scipy versions aimon supports (>= 1.11)."""
import inspect

import scipy.stats as ss


def anderson_ksamp_midrank(samples):
    """``anderson_ksamp`` in its midrank version: ``variant='midrank'`` from scipy 1.17 on,
    ``midrank=True`` before (the default of both)."""
    if "variant" in inspect.signature(ss.anderson_ksamp).parameters:
        return ss.anderson_ksamp(samples, variant="midrank")
    return ss.anderson_ksamp(samples, midrank=True)
