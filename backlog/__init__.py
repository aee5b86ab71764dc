"""Common problems: submit, de-duplicate, vote by council, discuss, triage, merge."""
