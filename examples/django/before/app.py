# The Django example, as on the main branch.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from django.http import JsonResponse  # noqa: E402

from project import build  # noqa: E402  (configures Django first)
import shopcore  # noqa: E402


def report(request):
    days = int(request.GET.get("days", "30"))
    category = request.GET.get("category")
    return JsonResponse({"rows": shopcore.report_rows(days, category)})


def feed(request):
    user = int(request.GET.get("user", "1"))
    return JsonResponse({"items": shopcore.feed_for(user)})


application = build(report, feed)
