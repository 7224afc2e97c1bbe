"""The payee registration, encrypted to payroll's public key: hybrid RSA-OAEP (SHA-256) wrapping a fresh AES-256-GCM
key, the identity (hetu, name, IBAN) sealed under it. Only the holder of payroll's private key reads it; the
marketplace keeps no copy. The public key is a PEM file (AVAIN_PAYROLL_PUBLIC_KEY_FILE)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALG = "RSA-OAEP-256+A256GCM"
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class PayrollKey:
    """Payroll's public key, loaded once; ``kid`` names it (a SHA-256 of its DER) so payroll knows which of its
    keys opens a file."""

    def __init__(self, pem: bytes) -> None:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 3072:
            raise ValueError("payroll's key must be an RSA public key of at least 3072 bits")
        self._key = key
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = hashlib.sha256(der).hexdigest()[:16]

    @classmethod
    def from_file(cls, path: Path) -> PayrollKey:
        return cls(path.read_bytes())

    def encrypt(self, payload: dict[str, Any]) -> dict[str, str]:
        """The payload as JSON, sealed: {alg, kid, ek (the wrapped AES key), nonce, ct}."""
        data_key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
        header = f"{ALG}:{self.kid}".encode()  # bound to the ciphertext: a file cannot be relabelled
        ct = AESGCM(data_key).encrypt(nonce, json.dumps(payload, ensure_ascii=False).encode(), header)
        return {"alg": ALG, "kid": self.kid, "ek": _b64(self._key.encrypt(data_key, _OAEP)), "nonce": _b64(nonce),
                "ct": _b64(ct)}


def decrypt(private_pem: bytes, sealed: dict[str, str]) -> dict[str, Any]:
    """What payroll does with its private key (here for tests and payroll's reference)."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    data_key = key.decrypt(base64.b64decode(sealed["ek"]), _OAEP)
    header = f"{sealed['alg']}:{sealed['kid']}".encode()
    plain = AESGCM(data_key).decrypt(base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["ct"]), header)
    result: dict[str, Any] = json.loads(plain)
    return result
