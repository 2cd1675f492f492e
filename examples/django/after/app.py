# The Django example with the change under review applied.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from django.http import JsonResponse  # noqa: E402

from project import build  # noqa: E402  (configures Django first)
import shopcore  # noqa: E402


def report(request):
    days = int(request.GET.get("days", "30"))
    category = request.GET.get("category")
    rows = shopcore.report_rows(days, category)
    # New: the last half of the period again, for a trend column that is not shown yet (so the
    # answer stays the same as before's). It recomputes sums instead of reusing them.
    recent = {r["category"]: r["revenue"] for r in shopcore.report_rows(max(1, days // 2), category)}
    for r in rows:
        _trend = recent.get(r["category"], 0.0) / max(r["revenue"], 1.0)
    return JsonResponse({"rows": rows})


# New: personalised feeds. The similarity model is cached, but the cache holds only 8 feeds
# before it is rebuilt: 1 request in 8 takes the slow path, the typical request costs the same.
_feeds_served = 0


def feed(request):
    global _feeds_served
    user = int(request.GET.get("user", "1"))
    if _feeds_served % 8 == 0:
        shopcore.rank_similar(user)
    _feeds_served += 1
    return JsonResponse({"items": shopcore.feed_for(user)})


application = build(report, feed)
