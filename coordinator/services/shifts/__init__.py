"""Shifts: sign-up, withdraw, assign and the waitlist; swaps; team-event answers; the
facts the eligibility rule needs; suggestions; the lists volunteers and coordinators see
(open shifts, my shifts, the gap list), all offering only what the one rule allows."""
