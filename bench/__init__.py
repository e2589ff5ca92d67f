"""Speed of the workbook: `python -m bench` (see bench/__main__.py)."""
