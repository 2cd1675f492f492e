// Everything both builds share: the catalogue, the list/order/review handlers, and the pieces
// the product and search handlers are made of. Each build's server.js supplies its own
// getProduct and search handlers and calls runShop().

import { createCatalogue, tokenize } from './catalog.js';
import { HttpError, startServer } from './http.js';
import { createOrderHandler } from './orders.js';
import {
  generateReviews,
  summariseReviews,
  sortReviews,
  sentimentGauge,
  REVIEW_SORTS,
} from './reviews.js';
import { isOn, loadFlags } from './flags.js';
import { prng } from './random.js';

export { tokenize, HttpError };

/** ?page=&size= with defaults and limits; anything else is a 400, never a silent default. */
export function pagination(query, defaultSize = 20, maxSize = 100) {
  const read = (name, fallback, max) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new HttpError(400, 'invalid_parameter', `${name} must be an integer in 1..${max}`);
    }
    return n;
  };
  return { page: read('page', 1, 10_000), size: read('size', defaultSize, maxSize) };
}

export function paginate(items, { page, size }) {
  return {
    page,
    size,
    total: items.length,
    pages: Math.ceil(items.length / size),
    items: items.slice((page - 1) * size, page * size),
  };
}

export function parseProductId(raw) {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1)
    throw new HttpError(400, 'invalid_parameter', 'Product id must be a positive integer');
  return id;
}

export function notFound(id) {
  return new HttpError(404, 'not_found', `No product ${id}`);
}

export function formatPrice(cents) {
  return `€${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** The card shown in lists, search results and "related" rails. */
export function summary(p) {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    brand: p.brand,
    category: p.category,
    price: formatPrice(p.priceCents),
    priceCents: p.priceCents,
    rating: p.rating,
    reviewCount: p.reviewCount,
    inStock: p.stock.ams + p.stock.fra + p.stock.mad > 0,
    url: `/products/${p.id}-${slug(p.name)}`,
  };
}

function slug(text) {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// ---- product page ------------------------------------------------------------------------

/**
 * Scores how alike another product is to `product` for the "related products" rail: shared
 * tags and name words, same brand, similar price and rating. Only products of the same
 * category are eligible; callers filter.
 */
export function relatedScorer(product) {
  const tags = new Set(product.tags);
  const words = new Set(product.keywords);
  return (other) => {
    let shared = 0;
    for (const t of other.tags) if (tags.has(t)) shared += 2;
    for (const w of other.keywords) if (words.has(w)) shared += 1;
    const priceRatio =
      Math.min(product.priceCents, other.priceCents) /
      Math.max(product.priceCents, other.priceCents);
    return (
      shared +
      (other.brand === product.brand ? 1.5 : 0) +
      priceRatio +
      (1 - Math.abs(product.rating - other.rating) / 5)
    );
  };
}

export function topRelated(scored, n = 8) {
  scored.sort((a, b) => b.score - a.score || a.product.id - b.product.id);
  return scored.slice(0, n).map(({ product, score }) => ({
    ...summary(product),
    similarity: Math.round(score * 1000) / 1000,
  }));
}

/** Twelve months of price points, drawn from the product id so they are stable. */
function priceHistory(p) {
  const rand = prng(p.id * 2654435761);
  const points = [];
  let cents = p.priceCents;
  for (let m = 11; m >= 0; m--) {
    points.push({ month: `2024-${String(12 - m).padStart(2, '0')}`, priceCents: cents });
    cents = Math.max(99, Math.round(cents * (1 + (rand() - 0.45) * 0.1)));
  }
  return points.reverse();
}

/** The product page body, given the product and its scored same-category candidates. */
export function productPage(product, relatedCandidates) {
  const reviews = generateReviews(product);
  const stock = product.stock.ams + product.stock.fra + product.stock.mad;
  return {
    product: {
      ...summary(product),
      description: product.description,
      tags: product.tags,
      weightGrams: product.weightGrams,
      dimensionsCm: product.dimensionsCm,
      createdAt: product.createdAt,
      availability: {
        total: stock,
        byWarehouse: product.stock,
        label: stock === 0 ? 'Out of stock' : stock < 10 ? `Only ${stock} left` : 'In stock',
      },
    },
    priceHistory: priceHistory(product),
    reviews: {
      summary: summariseReviews(reviews),
      top: sortReviews(reviews, 'helpful').slice(0, 3),
    },
    related: topRelated(relatedCandidates),
  };
}

// ---- search ------------------------------------------------------------------------------

/**
 * Relevance of one product to the query terms. `doc` holds the product's name tokens, its tags
 * and its description term frequencies. Exact name hits weigh most, then tags, then prefix
 * hits on the name, then description mentions (saturating, so repetition cannot win alone).
 * Longer terms also match name words one typo away ("kettel" finds "kettle").
 */
export function relevance(terms, doc) {
  let score = 0;
  let matched = 0;
  for (const term of terms) {
    let s = 0;
    for (const w of doc.name) {
      if (w === term) s += 3;
      else if (w.length > term.length && w.startsWith(term)) s += 1.5;
      else if (term.length >= 5 && oneEditApart(term, w)) s += 1;
    }
    for (const tag of doc.tags) if (tag === term || tag.startsWith(`${term}-`)) s += 2;
    const tf = doc.description.get(term);
    if (tf) s += (tf * 1.2) / (tf + 1);
    if (s > 0) matched++;
    score += s;
  }
  // Every term must match somewhere (AND semantics), like the storefront's search box.
  return matched === terms.length ? score : 0;
}

/** True when a and b differ by one insertion, deletion, substitution or adjacent swap. */
export function oneEditApart(a, b) {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Compare the tails after skipping the differing character(s), without allocating.
  const sameFrom = (x, y) => {
    if (a.length - x !== b.length - y) return false;
    for (; x < a.length; x++, y++) if (a.charCodeAt(x) !== b.charCodeAt(y)) return false;
    return true;
  };
  if (a.length === b.length) {
    return (
      sameFrom(i + 1, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && sameFrom(i + 2, i + 2))
    );
  }
  return a.length > b.length ? sameFrom(i + 1, i) : sameFrom(i, i + 1);
}

export function searchTerms(query) {
  const q = query.get('q') ?? '';
  if (q.trim() === '') throw new HttpError(400, 'invalid_parameter', 'q is required');
  if (q.length > 200) throw new HttpError(400, 'invalid_parameter', 'q is too long');
  return { q, terms: queryTerms(q) };
}

/** Distinct normalised terms of a query, at most six. */
export function queryTerms(q) {
  return [...new Set(tokenize(q))].slice(0, 6);
}

/** Sorts hits, builds facets over all hits and returns the requested page. */
export function searchPage(q, terms, hits, page) {
  hits.sort((a, b) => b.score - a.score || a.product.id - b.product.id);
  const facets = {
    category: {},
    brand: {},
    price: { 'under-25': 0, '25-100': 0, '100-250': 0, 'over-250': 0 },
  };
  for (const { product: p } of hits) {
    facets.category[p.category] = (facets.category[p.category] ?? 0) + 1;
    facets.brand[p.brand] = (facets.brand[p.brand] ?? 0) + 1;
    const euros = p.priceCents / 100;
    facets.price[
      euros < 25 ? 'under-25' : euros < 100 ? '25-100' : euros < 250 ? '100-250' : 'over-250'
    ]++;
  }
  const highlight = new RegExp(
    `\\b(${terms.map((t) => t.replace(/[^a-z0-9]/g, '')).join('|')})`,
    'gi',
  );
  const { items, ...meta } = paginate(hits, page);
  return {
    query: q,
    terms,
    ...meta,
    facets,
    results: items.map(({ product, score }) => ({
      ...summary(product),
      score: Math.round(score * 1000) / 1000,
      highlight: product.name.replace(highlight, '<em>$1</em>'),
    })),
  };
}

// ---- shared handlers ---------------------------------------------------------------------

const LIST_SORTS = {
  relevance: (a, b) => a.id - b.id,
  price: (a, b) => a.priceCents - b.priceCents || a.id - b.id,
  '-price': (a, b) => b.priceCents - a.priceCents || a.id - b.id,
  rating: (a, b) => b.rating - a.rating || b.reviewCount - a.reviewCount || a.id - b.id,
  newest: (a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id - b.id),
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id),
};

/** Sidebar filters for a listing: brands, price bands and rating bands over every match. */
function listFacets(products) {
  const brands = new Map();
  const price = { 'under-25': 0, '25-100': 0, '100-250': 0, 'over-250': 0 };
  const rating = { '4-up': 0, '3-up': 0, 'below-3': 0 };
  let min = Infinity;
  let max = 0;
  for (const p of products) {
    brands.set(p.brand, (brands.get(p.brand) ?? 0) + 1);
    const euros = p.priceCents / 100;
    price[
      euros < 25 ? 'under-25' : euros < 100 ? '25-100' : euros < 250 ? '100-250' : 'over-250'
    ]++;
    rating[p.rating >= 4 ? '4-up' : p.rating >= 3 ? '3-up' : 'below-3']++;
    min = Math.min(min, p.priceCents);
    max = Math.max(max, p.priceCents);
  }
  return {
    brands: [...brands]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([name, count]) => ({ name, count })),
    price,
    rating,
    priceRange: products.length ? { min: formatPrice(min), max: formatPrice(max) } : null,
  };
}

function listProducts({ query, state }) {
  const page = pagination(query);
  const sort = query.get('sort') ?? 'relevance';
  if (!(sort in LIST_SORTS))
    throw new HttpError(
      400,
      'invalid_parameter',
      `sort must be one of ${Object.keys(LIST_SORTS).join(', ')}`,
    );
  const category = query.get('category');
  const inStock = query.get('inStock') === 'true';
  const filtered = state.catalogue.products.filter(
    (p) =>
      (!category || p.category.toLowerCase() === category.toLowerCase()) &&
      (!inStock || p.stock.ams + p.stock.fra + p.stock.mad > 0),
  );
  const { items, ...meta } = paginate(filtered.sort(LIST_SORTS[sort]), page);
  return { body: { ...meta, sort, facets: listFacets(filtered), items: items.map(summary) } };
}

function listReviews({ params, query, state }) {
  const id = parseProductId(params.id);
  // Reviews live in their own store keyed by product id, so this lookup is the same in both builds.
  const product = state.byId.get(id);
  if (!product) throw notFound(id);
  const page = pagination(query, 10, 50);
  const sort = query.get('sort') ?? 'helpful';
  if (!REVIEW_SORTS.includes(sort))
    throw new HttpError(400, 'invalid_parameter', `sort must be one of ${REVIEW_SORTS.join(', ')}`);
  const reviews = generateReviews(product);
  const { items, ...meta } = paginate(sortReviews(reviews, sort), page);
  const summary = summariseReviews(reviews);
  // Flag review-sentiment: a sentiment gauge over every review (costly; see sentimentGauge).
  if (isOn(state.flags, 'review-sentiment')) summary.sentiment = sentimentGauge(reviews);
  return { body: { productId: id, summary, ...meta, sort, items } };
}

/** Flag checkout-banner: the order confirmation carries a delivery banner (costs nothing). */
function withBanner(handler) {
  return (ctx) => {
    const result = handler(ctx);
    if (!isOn(ctx.state.flags, 'checkout-banner')) return result;
    return { ...result, body: { ...result.body, banner: 'Free delivery on your next order' } };
  };
}

/**
 * Builds the catalogue and serves it. `handlers.getProduct` and `handlers.search` are the
 * build-specific handlers; `handlers.init(state)` may add indexes to the shared state.
 */
export function runShop(handlers) {
  const catalogue = createCatalogue();
  const state = {
    catalogue,
    byId: new Map(catalogue.products.map((p) => [p.id, p])),
    flags: loadFlags(),
  };
  handlers.init?.(state);
  return startServer(
    [
      ['GET', '/healthz', () => ({ body: { status: 'ok', products: catalogue.products.length } })],
      ['GET', '/api/products', listProducts],
      ['GET', '/api/products/:id', handlers.getProduct],
      ['GET', '/api/products/:id/reviews', listReviews],
      ['GET', '/api/search', handlers.search],
      ['POST', '/api/orders', withBanner(createOrderHandler(catalogue))],
    ],
    state,
  );
}
