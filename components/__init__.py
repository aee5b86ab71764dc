"""Common components library and councils' adoption of them."""
