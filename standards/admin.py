"""Django admin for institute staff."""
