"""Validation messages and their order, DTO by DTO, against the reference.

tests/data/reference_validation.json holds request bodies run through the
reference host's ValidationPipe (scripts/reference-errors.js): every
class-validator message in order, or null when the body passes. Each case is
sent to the authd route that uses that DTO: routes of the auth controller
answer the first message (filtered shape), those of the MFA controller the
whole list (raw shape); a body the reference lets through must not fail
validation here either. The few deliberate differences are listed in
DEVIATIONS (and in docs/compatibility.md).
"""
import json
import os

import pytest

from conftest import assert_json, new_user

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "reference_validation.json")
with open(DATA, encoding="utf-8") as f:
    REFERENCE = json.load(f)

# DTO -> (route under /auth, shape, needs a signed-in user)
ROUTES = {
    "NestAuthSignupRequestDto": ("signup", "filtered", False),
    "NestAuthLoginRequestDto": ("login", "filtered", False),
    "NestAuthRefreshTokenRequestDto": ("refresh-token", "filtered", False),
    "NestAuthChangePasswordRequestDto": ("change-password", "filtered", True),
    "NestAuthForgotPasswordRequestDto": ("forgot-password", "filtered", False),
    "NestAuthVerifyForgotPasswordOtpRequestDto": ("verify-forgot-password-otp", "filtered", False),
    "NestAuthResetPasswordWithTokenRequestDto": ("reset-password", "filtered", False),
    "NestAuthVerifyEmailRequestDto": ("verify-email", "filtered", True),
    "NestAuthVerifyPhoneRequestDto": ("verify-phone", "filtered", True),
    "NestAuthSendEmailVerificationRequestDto": ("send-email-verification", "filtered", True),
    "NestAuthSendPhoneVerificationRequestDto": ("send-phone-verification", "filtered", True),
    "NestAuthSwitchTenantRequestDto": ("switch-tenant", "filtered", True),
    "NestAuthToggleMfaRequestDto": ("mfa/toggle", "raw", True),
    "NestAuthSetupTotpRequestDto": ("mfa/setup-totp", "raw", True),
    "NestAuthVerifyTotpSetupRequestDto": ("mfa/verify-totp-setup", "raw", True),
    "NestAuthVerify2faRequestDto": ("mfa/verify", "filtered", True),
    "NestAuthVerifyRecoveryCodeRequestDto": ("mfa/verify-recovery-code", "filtered", True),
}

# (DTO, case) -> the messages authd answers instead, on purpose
# (docs/compatibility.md, "Validation"): the host's implicit conversion
# would turn a JSON number into a password, and any string (even "false")
# into `true` for a switch with a security effect; a signup e-mail given
# next to a phone is checked although the DTO skips it.
DEVIATIONS = {
    ("NestAuthSignupRequestDto", "numeric_password"): ["password must be a string"],
    ("NestAuthSignupRequestDto", "phone_and_bad_email"): ["email must be an email"],
    ("NestAuthChangePasswordRequestDto", "numeric_new"): ["newPassword must be a string"],
    ("NestAuthChangePasswordRequestDto", "numeric_current"): ["currentPassword must be a string"],
    ("NestAuthResetPasswordWithTokenRequestDto", "numeric_token"): ["token must be a string"],
    ("NestAuthResetPasswordWithTokenRequestDto", "numeric_password"):
        ["newPassword must be a string"],
    ("NestAuthToggleMfaRequestDto", "string"): ["enabled must be a boolean value"],
    ("NestAuthToggleMfaRequestDto", "number"): ["enabled must be a boolean value"],
    ("NestAuthVerify2faRequestDto", "trust_string"): ["trustDevice must be a boolean value"],
    ("NestAuthVerifyRecoveryCodeRequestDto", "trust_string"):
        ["trustDevice must be a boolean value"],
}

CASES = [pytest.param(c, id=f"{c['dto'][8:-10]}-{c['case']}") for c in REFERENCE["cases"]]


@pytest.fixture(scope="module")
def srv(server_factory):
    return server_factory("--mfa-enabled", "true")


def test_reference_version():
    assert REFERENCE["reference"] == {"package": "@ackplus/nest-auth", "version": "2.11.1"}


def test_every_dto_has_a_route():
    assert {c["dto"] for c in REFERENCE["cases"]} == set(ROUTES)


def test_deviations_are_documented():
    docs = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "compatibility.md"),
                encoding="utf-8").read()
    for key, messages in DEVIATIONS.items():
        for m in messages:
            assert f"`{m}`" in docs, (key, m)


def is_validation_error(r):
    js = r.json or {}
    return r.status == 400 and js.get("error") == "Bad Request" and "code" not in js


@pytest.mark.parametrize("case", CASES)
def test_validation_matches_the_reference(srv, case):
    route, shape, signed_in = ROUTES[case["dto"]]
    bearer = new_user(srv)[1] if signed_in else None
    r = srv.client().post(srv.path(route), case["body"], bearer=bearer)
    expected = DEVIATIONS.get((case["dto"], case["case"]), case["messages"])
    if expected is None:
        assert not is_validation_error(r), f"the reference lets {case['body']} through: {r!r}"
        return
    if shape == "raw":
        assert_json(r, 400, {"message": expected, "error": "Bad Request", "statusCode": 400})
    else:
        assert_json(r, 400, {"statusCode": 400, "error": "Bad Request", "message": expected[0]})
