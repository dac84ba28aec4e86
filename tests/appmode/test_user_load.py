"""The load a user names for ``check-app``: requests paired with their bodies, in turn with the
GET of ``--url``, each with its own id; bad input is one line."""

from __future__ import annotations

import pytest

from chaos.appmode.user_load import HttpRequest, UserRequests, build_requests
from chaos.errors import UsageError


def test_one_body_goes_with_every_write_and_the_reads_stay_bare() -> None:
    built = build_requests(("POST /orders", "get /orders/{op_id}"), ('{"op": "{op_id}"}',), ())
    assert built == (
        HttpRequest("POST", "/orders", '{"op": "{op_id}"}', "application/json"),
        HttpRequest("GET", "/orders/{op_id}"),
    )


def test_bodies_and_types_pair_with_requests_in_order() -> None:
    built = build_requests(("PUT /a", "DELETE /b"), ("x=1", ""), ("text/plain", "text/csv"))
    assert [(r.body, r.content_type) for r in built] == [("x=1", "text/plain"), ("", "text/csv")]


def test_the_plan_cycles_get_and_the_requests_with_unique_ids_per_worker() -> None:
    plan = UserRequests("/health", build_requests(("POST /o",), ('{"k": "{op_id}"}',), ()))
    first, second, third = (plan.next_request(0) for _ in range(3))
    assert (first["method"], first["path"], first["kind"]) == ("GET", "/health", "read")
    assert (second["method"], second["body"], second["kind"]) == ("POST", '{"k": "w0-2"}', "write")
    assert third["op_id"] == "w0-3" and third["method"] == "GET"
    assert plan.next_request(1)["method"] == "POST"  # workers start apart: writes every phase


def test_a_load_function_is_named_in_every_order() -> None:
    plan = UserRequests("/health", load="mod:func")
    assert plan.next_request(2) == {"op_id": "w2-1", "kind": "write", "load": "mod:func"}


@pytest.mark.parametrize(
    ("requests", "bodies", "said"),
    [
        (("FETCH /x",), (), "--request must look like 'METHOD /path'"),
        (("POST",), (), "--request must look like 'METHOD /path'"),
        (("POST http://x/",), (), "the path must look like"),
        ((), ("{}",), "go with a --request"),
        (("GET /x", "POST /y"), ("1", "2"), "--body '1' given for GET /x"),
    ],
)
def test_bad_input_says_what_is_wrong(requests, bodies, said) -> None:
    with pytest.raises(UsageError, match=said.replace("(", r"\(")):
        build_requests(requests, bodies, ())
