"""The schedule: series and single events, the rolling horizon of occurrences, changes
(move, cancel, split, end) and room bookings."""
