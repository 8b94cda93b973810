"""The provider's addresses: django-oauth-toolkit's under /o/ (authorize, token, discovery, JWKS,
logout), Django's own login page, and /kiem-thu/khoa, where the test rotates the signing key the
way an operator would change the provider's settings (the new key signs, the old one is still
published; then the old one is withdrawn)."""
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.settings import oauth2_settings

from . import keys


@csrf_exempt
def key_control(request):
    action = request.POST.get("action", "")
    if action == "rotate":
        old = oauth2_settings.OIDC_RSA_PRIVATE_KEY
        oauth2_settings.OIDC_RSA_PRIVATE_KEY = keys.new_private_key()
        oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE = [old]
    elif action == "withdraw-inactive":
        oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE = []
    elif action != "show":
        return JsonResponse({"error": "action is rotate, withdraw-inactive or show"}, status=400)
    return JsonResponse({"active": keys.kid(oauth2_settings.OIDC_RSA_PRIVATE_KEY),
                         "inactive": [keys.kid(pem) for pem in oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("kiem-thu/khoa", key_control),
]
