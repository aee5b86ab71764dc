"""Every write of this app: <noun>_<verb>(*, actor, ...) in a transaction."""
