"""Simplified Chinese number grouping as Chinese inventory and ERP software shows it.

Django's zh_Hans formats group by four digits with no separator (1234567), which
is hard to read in stock tables; 1,234,567 is what warehouse staff expect.
Dates keep Django's Chinese forms (2026年12月1日).
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
