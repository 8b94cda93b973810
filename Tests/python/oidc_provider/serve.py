#!/usr/bin/env python3
"""Starts the test OpenID Connect provider (django-oauth-toolkit, configured in this folder) on
loopback and prints `listening on http://127.0.0.1:PORT` once it accepts connections; its issuer
is that address + /o. Registers one confidential client (RS256, PKCE, any loopback port on the
redirect and post-logout URIs, as RFC 8252 allows) and the users given with --user.

    serve.py --dir DIR --client-id ID --client-secret SECRET \
             --redirect-uri http://127.0.0.1/dang-nhap/vneid/ve --post-logout-uri http://127.0.0.1/ \
             --user USERNAME:PASSWORD:FULL_NAME ...
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--post-logout-uri", required=True)
    parser.add_argument("--user", action="append", default=[])
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    os.environ["OIDC_PROVIDER_DIR"] = args.dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "oidc_provider.settings"
    import django
    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.settings import oauth2_settings

    from oidc_provider import keys

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth.models import User
    from oauth2_provider.models import get_application_model
    for entry in args.user:
        username, password, name = entry.split(":", 2)
        user = User.objects.create_user(username=username, password=password)
        user.first_name = name
        user.save()
    get_application_model().objects.create(
        name="Cổng dịch vụ công (thử nghiệm)", client_id=args.client_id, client_secret=args.client_secret,
        client_type="confidential", authorization_grant_type="authorization-code", algorithm="RS256",
        redirect_uris=args.redirect_uri, post_logout_redirect_uris=args.post_logout_uri, skip_authorization=True)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            sys.stderr.write("provider: " + (format % args) + "\n")

    server = ThreadedWSGIServer(("127.0.0.1", args.port), QuietHandler)
    port = server.server_address[1]
    oauth2_settings.OIDC_ISS_ENDPOINT = f"http://127.0.0.1:{port}/o"
    oauth2_settings.OIDC_RSA_PRIVATE_KEY = keys.new_private_key()
    oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE = []
    server.set_app(get_wsgi_application())
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
