"""Shared fixtures of the API contract tests: clients with personal tokens."""

import pytest
from rest_framework.test import APIClient

from institute.tokens import api_token_create


@pytest.fixture
def token_client():
    """An APIClient authenticated with a new personal token of `user` (read_only optional)."""

    def make(user, *, read_only=False) -> APIClient:
        _, secret = api_token_create(actor=user, name="tests", read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return make
