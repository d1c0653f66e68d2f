"""CSV cells that a spreadsheet cannot run as formulas (OWASP's rule for CSV injection).

A spreadsheet program runs a cell as a formula when it starts with `=`, `+`, `-` or `@`
(also after leading spaces), and some treat a leading tab or carriage return the same way.
Every such cell is written with a leading apostrophe, whatever follows: `+47 22 …` too, since
`+1+cmd|…` is a formula as well. A cell that already starts with an apostrophe gets one more,
so that `restore` (used by every CSV import of ours) gives back exactly what was exported.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"


def neutralise(value) -> str:
    """The cell text for `value`, prefixed with an apostrophe when a spreadsheet could run it."""
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS) or text.startswith(MARK):
        return MARK + text
    return text


def restore(text: str) -> str:
    """The value `neutralise` was given: one leading apostrophe is the spreadsheet's text mark."""
    return text[1:] if text.startswith(MARK) else text
