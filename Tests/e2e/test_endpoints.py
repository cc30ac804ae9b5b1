"""/healthz, /readyz, /models and /v1/models per CONTRACT.md "Endpoints"."""

from __future__ import annotations

import pytest

from support import MODES_ALL, get, mode_id

DEFAULT_MODEL_IDS = {"sonar", "sonar-pro", "sonar-reasoning-pro", "sonar-deep-research"}


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_healthz_is_ok(stacks, mode):
    resp = get(stacks(mode).url + "/healthz")
    assert resp.status == 200
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    assert resp.json() == {"status": "ok"}


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_readyz_is_200_while_accepting(stacks, mode):
    assert get(stacks(mode).url + "/readyz").status == 200


def test_healthz_and_readyz_need_no_authorization(stacks):
    url = stacks(("agent", "final")).url
    for path in ("/healthz", "/readyz"):
        assert get(url + path, headers={"Authorization": ""}).status == 200


@pytest.mark.parametrize("path", ["/models", "/v1/models"])
@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_models_is_an_openai_list_of_the_default_ids(stacks, mode, path):
    resp = get(stacks(mode).url + path)
    assert resp.status == 200, resp.body[:300]
    body = resp.json()
    assert set(body) == {"object", "data"} and body["object"] == "list", body
    for model in body["data"]:
        assert set(model) >= {"id", "object", "created", "owned_by"}, model
        assert model["object"] == "model" and isinstance(model["created"], int), model
        assert isinstance(model["id"], str) and isinstance(model["owned_by"], str), model
    assert {m["id"] for m in body["data"]} == DEFAULT_MODEL_IDS
