"""Issue 6: the editorial workflow (check rules, scheduling, corrections, redirects, scaffold, lock, CI workflow)."""
