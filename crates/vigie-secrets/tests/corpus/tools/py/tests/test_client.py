import pytest
from client import Client

API_KEY = "test-api-key"
FAKE_TOKEN = "fake-token"

@pytest.fixture
def client():
    return Client(api_key="dummy-key-for-tests", token=FAKE_TOKEN, password="secret123")

def test_digest(client):
    assert client.digest(b"x") == "6ceaee737347477f87580204f2db1a4aaa40932273590e11be38f56be5a9a140"
