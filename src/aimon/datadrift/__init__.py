"""Data drift: two-sample statistics, reference profiles, drift reports and timelines.

Named ``datadrift`` (not ``drift``) so that ``aimon.drift`` stays the plain function
:func:`aimon.datadrift.report.drift`.
"""
