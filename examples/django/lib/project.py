"""The Django project both builds run: settings, URLs and the views that do not change."""

import json
import os
import sys

import django
from django.conf import settings

# PERFGATE_RECORD=FILE records the requests served with perfgate's Django middleware (rate
# PERFGATE_RECORD_RATE, default 1): examples/django/record.py drives it. perfgate.yml leaves it
# unset, so the gate measures the app alone.
_record = os.environ.get("PERFGATE_RECORD")
_middleware = ["django.middleware.common.CommonMiddleware"]
_recorder = {}
if _record:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "recorder", "python"))
    _middleware.insert(0, "perfgate_recorder.django.RecorderMiddleware")
    _recorder["PERFGATE_RECORDER"] = {"path": _record, "rate": float(os.environ.get("PERFGATE_RECORD_RATE", "1"))}

settings.configure(
    DEBUG=False,
    SECRET_KEY="perfgate-example-not-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=None,  # set by build()
    MIDDLEWARE=_middleware,
    INSTALLED_APPS=[],
    USE_TZ=True,
    **_recorder,
)
django.setup()

from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import shopcore  # noqa: E402


def healthz(request):
    return HttpResponse("ok")


def item(request, item_id):
    body = shopcore.item_view(item_id)
    if body is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(body)


@csrf_exempt
def orders(request):
    if request.method != "POST":
        return JsonResponse({"error": "method not allowed"}, status=405)
    try:
        return JsonResponse(shopcore.order_total(json.loads(request.body)), status=201)
    except (ValueError, KeyError):
        return JsonResponse({"error": "invalid order"}, status=422)


def build(report, feed):
    """The WSGI application with this build's report and feed views."""
    module = type(sys)("urls")
    module.urlpatterns = [
        path("healthz", healthz),
        path("api/items/<int:item_id>", item),
        path("api/report", report),
        path("api/feed", feed),
        path("api/orders", orders),
    ]
    sys.modules["urls"] = module
    settings.ROOT_URLCONF = "urls"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
