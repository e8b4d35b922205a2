"""A body that is not JSON (audit with curl): the API answered ``{"error": "8: JSON decode error"}``,
where 8 is a character offset nobody could read as one; now it says the body is not valid JSON, at
which character, and what the parser expected there, in one line without a traceback."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api/forecast", "/api/sweep", "/api/ledger", "/api/whatif"])
def test_a_body_that_is_not_json_says_so_and_where(client, path) -> None:
    r = client.post(path, content=b'{"a": 1,,}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    msg = r.json()["error"]
    assert msg.startswith("the request body is not valid JSON at character 8: ")
    assert "double quotes" in msg  # the parser's reason
    assert "\n" not in msg and "Traceback" not in r.text
