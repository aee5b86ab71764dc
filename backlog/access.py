"""The only way views and the API fetch this app's rows for a user."""
