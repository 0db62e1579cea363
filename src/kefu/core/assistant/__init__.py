"""The buyer-facing assistant: message understanding (`nlu`)."""
