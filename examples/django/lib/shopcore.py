"""Everything both builds of the Django example share: a seeded catalogue and the views' work.

Both builds import this module; before/app.py and after/app.py differ only in the report and
feed views (diff them). The catalogue is generated from a fixed seed, so every process of either
build answers every request with the same bytes.
"""

import hashlib
import json
import random

_rng = random.Random(20240601)
CATEGORIES = ["books", "garden", "kitchen", "music", "sports", "toys", "travel"]
ITEMS = [
    {
        "id": i,
        "name": f"item-{i}",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "price": round(_rng.uniform(2, 200), 2),
        "stock": _rng.randint(0, 500),
        "tags": [f"t{_rng.randint(0, 40)}" for _ in range(4)],
    }
    for i in range(1, 1201)
]
BY_ID = {item["id"]: item for item in ITEMS}
# Daily sales per item for a year, for the report.
SALES = [[_rng.randint(0, 9) for _ in range(365)] for _ in range(len(ITEMS))]
USERS = {u: [(_rng.randint(1, 1200), _rng.randint(0, 50)) for _ in range(60)] for u in range(1, 41)}


def item_view(item_id):
    item = BY_ID.get(item_id)
    if item is None:
        return None
    related = sorted(
        (o for o in ITEMS if o["category"] == item["category"] and o["id"] != item_id),
        key=lambda o: (abs(o["price"] - item["price"]), o["id"]),
    )[:8]
    return {"item": item, "related": [o["id"] for o in related]}


def report_rows(days, category):
    """Revenue per category over the last `days` days: the report's work."""
    totals = {}
    for item, sales in zip(ITEMS, SALES):
        if category and item["category"] != category:
            continue
        sold = sum(sales[-days:])
        totals[item["category"]] = totals.get(item["category"], 0.0) + sold * item["price"]
    return sorted(({"category": c, "revenue": round(v, 2)} for c, v in totals.items()), key=lambda r: r["category"])


def feed_for(user):
    """A user's feed: recent items of the categories they interact with most."""
    weights = {}
    for item_id, score in USERS.get(user, []):
        cat = BY_ID[item_id]["category"]
        weights[cat] = weights.get(cat, 0) + score
    top = sorted(weights, key=lambda c: (-weights[c], c))[:3]
    picks = [o for o in ITEMS if o["category"] in top][:40]
    return [{"id": o["id"], "name": o["name"], "price": o["price"]} for o in picks]


def rank_similar(user):
    """The feed's personalisation model, rebuilt from every user's history and every item's
    tags: the costly path."""
    vectors = {}
    for u, history in USERS.items():
        v = [0] * len(CATEGORIES)
        for item_id, score in history:
            v[CATEGORIES.index(BY_ID[item_id]["category"])] += score
        vectors[u] = v
    me = vectors.get(user, [0] * len(CATEGORIES))
    liked = {t for item_id, _ in USERS.get(user, []) for t in BY_ID[item_id]["tags"]}

    def score(item):
        return me[CATEGORIES.index(item["category"])] + 3 * len(liked.intersection(item["tags"]))

    mine = sorted(ITEMS, key=lambda o: (-score(o), o["id"]))[:5]
    # The four most similar users' picks, ranked the same way, blended into the model.
    def dot(a, b):
        return sum(x * y for x, y in zip(a, b))

    for other in sorted(vectors, key=lambda u: (-dot(me, vectors[u]), u))[1:5]:
        liked = {t for item_id, _ in USERS[other] for t in BY_ID[item_id]["tags"]}
        mine += sorted(ITEMS, key=lambda o: (-score(o), o["id"]))[:5]
    return mine


def order_total(body):
    lines = body.get("lines", [])
    total = 0.0
    for line in lines:
        item = BY_ID.get(int(line.get("id", 0)))
        if item is None:
            raise KeyError(line.get("id"))
        total += item["price"] * int(line.get("qty", 1))
    vat = round(total * 0.2, 2)
    digest = hashlib.sha256(json.dumps(lines, sort_keys=True).encode()).hexdigest()[:12]
    return {"total": round(total, 2), "vat": vat, "invoice": digest}
