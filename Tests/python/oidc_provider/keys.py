"""RSA signing keys for the provider, made fresh for each run (none is committed)."""
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk


def new_private_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def kid(pem):
    """The key id django-oauth-toolkit publishes: the JWK thumbprint."""
    return jwk.JWK.from_pem(pem.encode()).thumbprint()
