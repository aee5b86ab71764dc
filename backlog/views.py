"""Thin views: parse input, call access/service/selector, render the page or its partial."""
