"""CSV files people open in a spreadsheet: a cell that begins with =, +, -, @, a tab or a
carriage return is taken for a formula (OWASP, "CSV injection"); written with a leading single
quote it is shown as the text it is."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """`value` as a CSV cell a spreadsheet shows as text (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
