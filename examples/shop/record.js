// Writes workload.jsonl: a fixed, storefront-like mix of requests for perfgate to replay.
// Deterministic: running it again produces the same file byte for byte.
//
//   node record.js            # writes ./workload.jsonl
//   node record.js --stdout   # prints it instead

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCatalogue } from './lib/catalog.js';
import { prng, pick, intBetween } from './lib/random.js';

const rand = prng(4242);
const { products, categories } = createCatalogue();
const inStock = products.filter((p) => p.stock.ams + p.stock.fra + p.stock.mad >= 20);

const browser = {
  accept: 'application/json',
  'accept-language': 'en-GB,en;q=0.8',
  'user-agent': 'shop-web/2.3 (storefront)',
};
const get = (url) => ({ method: 'GET', url, headers: browser });

const requests = [];

// Category pages and the home page grid: the most common reads.
const sorts = ['relevance', 'price', '-price', 'rating', 'newest', 'name'];
requests.push(
  get('/api/products'),
  get('/api/products?page=2'),
  get('/api/products?size=50&sort=newest'),
);
for (let i = 0; i < 9; i++) {
  const category = pick(rand, categories).toLowerCase();
  const params = new URLSearchParams({
    category,
    page: String(intBetween(rand, 1, 4)),
    size: String(pick(rand, [12, 24, 48])),
    sort: pick(rand, sorts),
  });
  if (rand() < 0.3) params.set('inStock', 'true');
  requests.push(get(`/api/products?${params}`));
}

// Product pages: a few popular items viewed repeatedly, a long tail, and one stale link.
const popular = [17, 256, 1024];
for (const id of popular) requests.push(get(`/api/products/${id}`), get(`/api/products/${id}`));
for (let i = 0; i < 10; i++)
  requests.push(get(`/api/products/${intBetween(rand, 1, products.length)}`));
requests.push(get('/api/products/99999'));

// Reviews tab on some of those pages.
for (const id of popular) requests.push(get(`/api/products/${id}/reviews`));
for (let i = 0; i < 5; i++) {
  const sort = pick(rand, ['helpful', 'newest', 'highest', 'lowest']);
  requests.push(
    get(
      `/api/products/${intBetween(rand, 1, products.length)}/reviews?sort=${sort}&page=${intBetween(rand, 1, 3)}`,
    ),
  );
}

// Search box: single words, phrases, accents, plurals, paging, a typo with no hits.
const queries = [
  'lamp',
  'oak desk lamp',
  'cafe',
  'crème',
  'backpacks',
  'waterproof tent',
  'eco',
  'steel kettle',
  'yoga mat',
  'gift for kids',
  'walnut',
  'dog bed',
  'cast iron skillet',
  'wireless headphone',
  'kettel',
];
for (const q of queries) requests.push(get(`/api/search?${new URLSearchParams({ q })}`));
requests.push(get('/api/search?q=lamp&page=2'), get('/api/search?q=linen&size=40'));

// Checkout: a handful of orders, one with a coupon, one express, one invalid.
const countries = ['NL', 'DE', 'FR', 'ES', 'BE', 'IT'];
for (let i = 0; i < 7; i++) {
  const items = [];
  for (let n = intBetween(rand, 1, 5); n > 0; n--)
    items.push({ productId: pick(rand, inStock).id, quantity: intBetween(rand, 1, 6) });
  const order = {
    customer: { country: countries[i % countries.length], email: `customer${i + 1}@example.com` },
    items,
  };
  if (i === 2) order.coupon = 'WELCOME10';
  if (i === 4) order.coupon = 'FREESHIP';
  if (i === 5) order.shipping = 'express';
  requests.push({
    method: 'POST',
    url: '/api/orders',
    headers: { ...browser, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
}
requests.push({
  method: 'POST',
  url: '/api/orders',
  headers: { ...browser, 'content-type': 'application/json' },
  body: JSON.stringify({
    customer: { country: 'US', email: 'not-an-email' },
    items: [{ productId: 5, quantity: 0 }],
  }),
});

// Interleave like real traffic (Fisher–Yates with the seeded generator).
for (let i = requests.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [requests[i], requests[j]] = [requests[j], requests[i]];
}

const jsonl = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
if (process.argv.includes('--stdout')) process.stdout.write(jsonl);
else {
  const out = fileURLToPath(new URL('./workload.jsonl', import.meta.url));
  writeFileSync(out, jsonl);
  console.log(`wrote ${requests.length} requests to ${out}`);
}
