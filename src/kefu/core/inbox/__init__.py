"""Inbox rules: which queue and agent get a buyer, what a message may contain."""
