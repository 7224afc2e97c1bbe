"""Payroll's two files: the period CSV in its documented layout (each claim once, fees and expenses in their own
columns), and the payee registration that only payroll's private key opens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.marketplace.adapters.payroll import PayrollKey, decrypt
from services.marketplace.domain.payroll import COLUMNS, period_csv

KEYS = Path(__file__).resolve().parents[1] / "keys"
PERSON, AGREEMENT = uuid4(), uuid4()


def line(kind: str, cents: int) -> dict[str, object]:
    return {"claim_id": uuid4(), "agreement_id": AGREEMENT, "client_id": uuid4(), "person_id": PERSON, "kind": kind,
            "work_month": date(2026, 4, 1), "amount_cents": cents, "earnings_type": "216",
            "pay_on": date(2026, 5, 15)}


def test_the_period_csv_has_the_documented_columns_and_each_claim_once() -> None:
    hours, receipt = line("fee", 45_000), line("expenses", 3_590)
    text = period_csv([hours, receipt, hours])  # a line that reached the table twice is paid once
    rows = [r.split(",") for r in text.strip().split("\r\n")]
    assert tuple(rows[0]) == COLUMNS
    assert rows[1:] == [
        ["2026-05", str(PERSON), str(hours["claim_id"]), "216", "2026-04", "450.00", "0.00", "2026-05-15"],
        ["2026-05", str(PERSON), str(receipt["claim_id"]), "", "2026-04", "0.00", "35.90", "2026-05-15"],
    ]


def test_the_payee_registration_opens_only_with_payrolls_private_key() -> None:
    key = PayrollKey.from_file(KEYS / "payroll-test-public.pem")
    identity = {"payee_reference": str(PERSON), "hetu": "020658-246D", "name": "Aili Virtanen",
                "iban": "FI2112345600000785"}
    sealed = key.encrypt(identity)
    assert "Aili" not in str(sealed) and "020658" not in str(sealed)
    assert decrypt((KEYS / "payroll-test-private.pem").read_bytes(), sealed) == identity
    other = rsa.generate_private_key(public_exponent=65537, key_size=3072).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ValueError):  # another key cannot unwrap the file's key
        decrypt(other, sealed)
    with pytest.raises(InvalidTag):  # nor can the file be relabelled as another key's
        decrypt((KEYS / "payroll-test-private.pem").read_bytes(), {**sealed, "kid": "0" * 16})


def test_a_weak_payroll_key_is_refused_at_start() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="3072"):
        PayrollKey(weak)


def test_production_refuses_the_test_payroll_key_whose_private_half_is_in_the_repository(tmp_path: Path) -> None:
    from services.marketplace.bootstrap import TEST_PAYROLL_KID, MarketplaceSettings

    assert PayrollKey.from_file(KEYS / "payroll-test-public.pem").kid == TEST_PAYROLL_KID
    secrets = {"jwt_secret": "x" * 40, "master_key": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
               "hetu_pepper": "y" * 40, "checkpoint_key_file": "/run/secrets/checkpoint.pem"}
    with pytest.raises(ValueError, match="AVAIN_PAYROLL_PUBLIC_KEY_FILE"):
        MarketplaceSettings(env="production", **secrets)
    copied = tmp_path / "payroll-public.pem"  # the test key copied where a deployment mounts payroll's own
    copied.write_bytes((KEYS / "payroll-test-public.pem").read_bytes())
    with pytest.raises(ValueError, match="AVAIN_PAYROLL_PUBLIC_KEY_FILE"):
        MarketplaceSettings(env="production", payroll_public_key_file=copied, **secrets)
    own = tmp_path / "payroll-own.pem"
    own.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=3072).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    settings = MarketplaceSettings(env="production", payroll_public_key_file=own, **secrets)
    assert settings.payroll_key().kid != TEST_PAYROLL_KID
