"""Training and dev data for the intent classifier (text only, small, in git)."""
