"""The one piece of the provider the test writes: which claims the ID token carries. Like the
national identity, it carries the citizen's 12-digit personal identification number (here the
Django user's username) in a claim of its own, `so_dinh_danh`, and the full name in `name`."""
from oauth2_provider.oauth2_validators import OAuth2Validator


class NationalIdentityValidator(OAuth2Validator):
    # Every claim goes into the ID token whatever the scope (the test asks for `openid` only).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return {"so_dinh_danh": request.user.username, "name": request.user.first_name}
