"""Reports read from the attendance record: participation, the roll of honour (issue 14)."""
