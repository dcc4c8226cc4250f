"""Remaining api.md section 1 endpoints with the default options (tenancy and
multi-account disabled): accounts, tenants/lookup, switch-tenant, OAuth
callback page, and the 404 shape with a query string."""

import uuid

from conftest import assert_json, new_user

CODED = ["statusCode", "error", "message", "code"]


def test_accounts_empty_without_multi_account(server):
    c = server.client()
    assert_json(c.get("/auth/accounts"), 200, {"accounts": []})
    _, at, rt = new_user(server)
    assert_json(c.get("/auth/accounts", cookies={f"refreshToken_{uuid.uuid4()}": rt}), 200,
                {"accounts": []})


def test_tenant_lookup_when_tenancy_disabled(server):
    c = server.client()
    expected = {"statusCode": 404, "error": "NotFoundException", "message": "Tenant not found",
                "code": "TENANT_NOT_FOUND"}
    assert_json(c.get("/auth/tenants/lookup?slug=acme"), 404, expected)
    assert_json(c.get("/auth/tenants/lookup"), 404, expected)


def test_switch_tenant_when_tenancy_disabled(server):
    c = server.client()
    _, at, _ = new_user(server)
    r = c.post("/auth/switch-tenant", {"tenantId": str(uuid.uuid4())}, bearer=at)
    js = assert_json(r, 400, keys=CODED)
    assert js["error"] == "BadRequestException" and js["code"] == "TENANT_SWITCHING_DISABLED", js
    assert js["message"] == "Multi-tenancy is disabled on this deployment.", js
    # The body is validated (after the guard) before tenancy is looked at.
    for body in ({}, {"tenantId": "nope"}, {"tenantId": 5}):
        assert_json(c.post("/auth/switch-tenant", body, bearer=at), 400,
                    {"statusCode": 400, "error": "Bad Request", "message": "tenantId must be a UUID"})
    r = c.post("/auth/switch-tenant", {"tenantId": str(uuid.uuid4())})
    assert_json(r, 401, keys=CODED)
    assert r.json["code"] == "NO_AUTH_PROVIDED"


def test_oauth_callback_page_escapes_query(server):
    r = server.client().get("/auth/callback/google?success=1&x=%3Cscript%3E")
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/html; charset=utf-8", r
    html = r.body.decode("utf-8")
    assert "<script>alert" not in html
    assert "\\u003cscript\\u003e" in html, html[:2000]
    assert "nest-auth-sso-callback" in html


def test_404_keeps_query_string(server):
    assert_json(server.client().get("/auth/does-not-exist?a=1"), 404,
                {"message": "Cannot GET /auth/does-not-exist?a=1", "error": "Not Found",
                 "statusCode": 404})
