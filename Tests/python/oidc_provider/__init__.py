"""A real OpenID Connect provider for the gateway's tests: django-oauth-toolkit (PyPI), configured
here, run on loopback by serve.py. Nothing of the protocol is written here."""
