"""Thin views: parse input, call access/service/selector, render."""
