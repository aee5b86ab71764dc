"""Every non-trivial read of this app, built once with its joins."""
