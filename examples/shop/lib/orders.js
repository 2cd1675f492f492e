// Order pricing: validation, volume discounts, a rule-based promotion engine, coupons, VAT by
// country and category, warehouse allocation, parcel packing and shipping. All amounts are
// integer cents so that totals are exact and identical in every process.

import { createHash } from 'node:crypto';
import { HttpError } from './http.js';
import { prng, pick, intBetween } from './random.js';

const MAX_LINES = 25;
const MAX_QUANTITY = 20;

// Standard and reduced VAT rates (basis points); reduced applies to the listed categories.
const VAT = {
  NL: { standard: 2100, reduced: 900, reducedFor: ['Toys', 'Pets'] },
  DE: { standard: 1900, reduced: 700, reducedFor: ['Pets'] },
  FR: { standard: 2000, reduced: 550, reducedFor: ['Pets', 'Garden'] },
  ES: { standard: 2100, reduced: 1000, reducedFor: ['Garden'] },
  BE: { standard: 2100, reduced: 600, reducedFor: ['Toys'] },
  IT: { standard: 2200, reduced: 1000, reducedFor: ['Pets'] },
};
// Warehouse preference per destination, nearest first.
const WAREHOUSES = {
  NL: ['ams', 'fra', 'mad'],
  BE: ['ams', 'fra', 'mad'],
  DE: ['fra', 'ams', 'mad'],
  FR: ['fra', 'mad', 'ams'],
  ES: ['mad', 'fra', 'ams'],
  IT: ['fra', 'mad', 'ams'],
};
const BOXES = [
  { name: 'S', volume: 12_000, maxGrams: 5_000, costCents: 395 },
  { name: 'M', volume: 60_000, maxGrams: 15_000, costCents: 595 },
  { name: 'L', volume: 250_000, maxGrams: 30_000, costCents: 995 },
  { name: 'XL', volume: 1_000_000, maxGrams: 60_000, costCents: 2495 },
];
const COUPONS = {
  WELCOME10: { kind: 'percent', basisPoints: 1000, capCents: 5000 },
  SPRING5: { kind: 'fixed', cents: 500, minSubtotalCents: 3000 },
  FREESHIP: { kind: 'shipping' },
};
const FREE_SHIPPING_FROM_CENTS = 15_000;

/**
 * The promotion book: 150 rules such as "12 % off Acme in Kitchen" or "buy 3, save 15 % on
 * eco-tagged items". Generated from a seed so every process has the same book.
 */
function buildPromotions(catalogue) {
  const rand = prng(77);
  const brands = [...new Set(catalogue.products.map((p) => p.brand))].sort();
  const tags = [...new Set(catalogue.products.flatMap((p) => p.tags))].sort();
  const rules = [];
  for (let i = 0; i < 150; i++) {
    const kind = pick(rand, ['brand-category', 'tag', 'multi-buy']);
    const rule = {
      id: `PROMO-${String(i + 1).padStart(3, '0')}`,
      kind,
      basisPoints: intBetween(rand, 3, 25) * 100,
    };
    if (kind === 'brand-category') {
      rule.brand = pick(rand, brands);
      rule.category = pick(rand, catalogue.categories);
    } else if (kind === 'tag') {
      rule.tag = pick(rand, tags);
      rule.minUnitCents = intBetween(rand, 0, 10) * 1000;
    } else {
      rule.category = pick(rand, catalogue.categories);
      rule.minQuantity = intBetween(rand, 2, 5);
    }
    rules.push(rule);
  }
  return rules;
}

function ruleApplies(rule, product, quantity) {
  switch (rule.kind) {
    case 'brand-category':
      return product.brand === rule.brand && product.category === rule.category;
    case 'tag':
      return product.tags.includes(rule.tag) && product.priceCents >= rule.minUnitCents;
    case 'multi-buy':
      return product.category === rule.category && quantity >= rule.minQuantity;
  }
  return false;
}

/** Percentage of an amount in basis points, rounded half up to whole cents. */
function percentOf(cents, basisPoints) {
  return Math.floor((cents * basisPoints + 5000) / 10000);
}

function validate(body, byId) {
  const errors = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_order', 'Body must be a JSON object');
  }
  const country = body.customer?.country;
  if (!(country in VAT))
    errors.push({
      field: 'customer.country',
      message: `Unsupported country ${JSON.stringify(country)}`,
    });
  const email = body.customer?.email;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email)) {
    errors.push({ field: 'customer.email', message: 'A valid email is required' });
  }
  if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > MAX_LINES) {
    errors.push({ field: 'items', message: `Between 1 and ${MAX_LINES} items are required` });
  } else {
    body.items.forEach((item, i) => {
      if (!Number.isInteger(item?.productId) || !byId.has(item.productId)) {
        errors.push({ field: `items[${i}].productId`, message: 'Unknown product' });
      }
      if (!Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
        errors.push({
          field: `items[${i}].quantity`,
          message: `Quantity must be 1..${MAX_QUANTITY}`,
        });
      }
    });
  }
  if (body.coupon !== undefined && !(body.coupon in COUPONS)) {
    errors.push({ field: 'coupon', message: 'Unknown coupon' });
  }
  if (body.shipping !== undefined && body.shipping !== 'standard' && body.shipping !== 'express') {
    errors.push({ field: 'shipping', message: 'Shipping must be standard or express' });
  }
  if (errors.length) throw new HttpError(422, 'invalid_order', 'The order is not valid', errors);
}

/** Merge repeated product ids so a cart of [1x A, 2x A] prices as 3x A. */
function mergeItems(items) {
  const merged = new Map();
  for (const { productId, quantity } of items)
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}

/** Picks the nearest warehouse that can ship the whole line, else splits across warehouses. */
function allocate(product, quantity, country) {
  const picks = [];
  let left = quantity;
  for (const wh of WAREHOUSES[country]) {
    if (product.stock[wh] >= left) return [{ warehouse: wh, quantity: left }];
  }
  for (const wh of WAREHOUSES[country]) {
    const take = Math.min(left, product.stock[wh]);
    if (take > 0) picks.push({ warehouse: wh, quantity: take });
    left -= take;
    if (left === 0) return picks;
  }
  return null;
}

/** First-fit decreasing by volume into the smallest box that fits, per warehouse. */
function pack(units) {
  const parcels = [];
  units.sort((a, b) => b.volume - a.volume || b.grams - a.grams || a.productId - b.productId);
  for (const unit of units) {
    let parcel = parcels.find(
      (p) =>
        p.warehouse === unit.warehouse &&
        p.volume + unit.volume <= BOXES.at(-1).volume &&
        p.grams + unit.grams <= BOXES.at(-1).maxGrams,
    );
    if (!parcel) {
      parcel = { warehouse: unit.warehouse, volume: 0, grams: 0, items: [] };
      parcels.push(parcel);
    }
    parcel.volume += unit.volume;
    parcel.grams += unit.grams;
    parcel.items.push(unit.productId);
  }
  return parcels.map((p) => {
    const box = BOXES.find((b) => p.volume <= b.volume && p.grams <= b.maxGrams) ?? BOXES.at(-1);
    return {
      warehouse: p.warehouse,
      box: box.name,
      weightGrams: p.grams,
      items: p.items.length,
      costCents: box.costCents,
    };
  });
}

/** "You may also like" for the confirmation page: products sharing tags with the cart. */
function recommend(catalogue, lines) {
  const inCart = new Set(lines.map((l) => l.productId));
  const tagWeight = new Map();
  for (const l of lines)
    for (const t of l.product.tags) tagWeight.set(t, (tagWeight.get(t) ?? 0) + l.quantity);
  const scored = [];
  for (const p of catalogue.products) {
    if (inCart.has(p.id) || p.stock.ams + p.stock.fra + p.stock.mad === 0) continue;
    let score = 0;
    for (const t of p.tags) score += tagWeight.get(t) ?? 0;
    if (score > 0) scored.push({ p, score: score + p.rating / 10 });
  }
  scored.sort((a, b) => b.score - a.score || a.p.id - b.p.id);
  return scored.slice(0, 4).map(({ p }) => ({ id: p.id, name: p.name, priceCents: p.priceCents }));
}

function formatCents(cents) {
  return `€${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

export function createOrderHandler(catalogue) {
  const byId = new Map(catalogue.products.map((p) => [p.id, p]));
  const promotions = buildPromotions(catalogue);

  return function createOrder({ body }) {
    validate(body, byId);
    const country = body.customer.country;
    const vat = VAT[country];
    const coupon = body.coupon ? { code: body.coupon, ...COUPONS[body.coupon] } : null;

    const lines = mergeItems(body.items).map(({ productId, quantity }) => ({
      productId,
      quantity,
      product: byId.get(productId),
    }));
    const unavailable = [];
    for (const line of lines) {
      line.allocation = allocate(line.product, line.quantity, country);
      if (!line.allocation)
        unavailable.push({ productId: line.productId, requested: line.quantity });
    }
    if (unavailable.length)
      throw new HttpError(409, 'out_of_stock', 'Some items are out of stock', unavailable);

    let subtotal = 0;
    let discountTotal = 0;
    let taxTotal = 0;
    const units = [];
    const priced = lines.map(({ product, quantity, allocation }) => {
      const gross = product.priceCents * quantity;
      // Promotions do not stack: the single best applicable rule wins (lowest id on ties).
      let best = null;
      for (const rule of promotions) {
        if (ruleApplies(rule, product, quantity) && (!best || rule.basisPoints > best.basisPoints))
          best = rule;
      }
      const volume = quantity >= 5 ? 500 : 0;
      const basisPoints = Math.max(best?.basisPoints ?? 0, volume);
      const discount = percentOf(gross, basisPoints);
      const net = gross - discount;
      const rate = vat.reducedFor.includes(product.category) ? vat.reduced : vat.standard;
      // Prices are VAT-inclusive; the tax share is extracted, not added.
      const tax = net - Math.round((net * 10000) / (10000 + rate));
      subtotal += gross;
      discountTotal += discount;
      taxTotal += tax;
      const [l, w, h] = product.dimensionsCm;
      for (const a of allocation) {
        for (let i = 0; i < a.quantity; i++)
          units.push({
            productId: product.id,
            warehouse: a.warehouse,
            volume: l * w * h,
            grams: product.weightGrams,
          });
      }
      return {
        productId: product.id,
        sku: product.sku,
        name: product.name,
        quantity,
        unitPriceCents: product.priceCents,
        discountCents: discount,
        promotion:
          basisPoints === 0 ? null : best && best.basisPoints >= volume ? best.id : 'VOLUME-5',
        totalCents: net,
        vatRate: rate / 100,
        vatCents: tax,
        allocation,
      };
    });

    let couponCents = 0;
    const afterLines = subtotal - discountTotal;
    if (coupon?.kind === 'percent')
      couponCents = Math.min(percentOf(afterLines, coupon.basisPoints), coupon.capCents);
    if (coupon?.kind === 'fixed' && afterLines >= coupon.minSubtotalCents)
      couponCents = coupon.cents;

    const parcels = pack(units);
    const express = body.shipping === 'express';
    let shippingCents =
      parcels.reduce((sum, p) => sum + p.costCents, 0) + (express ? 900 * parcels.length : 0);
    if (
      !express &&
      (coupon?.kind === 'shipping' || afterLines - couponCents >= FREE_SHIPPING_FROM_CENTS)
    )
      shippingCents = 0;

    const totalCents = afterLines - couponCents + shippingCents;
    // Same cart, same id: replays stay idempotent and both builds answer identically.
    const canonical = JSON.stringify({
      country,
      email: body.customer.email.toLowerCase(),
      lines: priced.map((l) => [l.productId, l.quantity]),
      coupon: coupon?.code ?? null,
      express,
    });
    const orderId = `ord_${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;

    const invoice = [
      ...priced.map(
        (l) =>
          `${String(l.quantity).padStart(3)} x ${l.name.padEnd(48).slice(0, 48)} ${formatCents(l.totalCents).padStart(10)}`,
      ),
      `${'Discounts'.padEnd(54)} ${formatCents(discountTotal + couponCents).padStart(10)}`,
      `${'Shipping'.padEnd(54)} ${formatCents(shippingCents).padStart(10)}`,
      `${'Total (incl. VAT)'.padEnd(54)} ${formatCents(totalCents).padStart(10)}`,
    ];

    return {
      status: 201,
      headers: { location: `/api/orders/${orderId}` },
      body: {
        orderId,
        status: 'confirmed',
        currency: 'EUR',
        country,
        lines: priced,
        coupon: coupon ? { code: coupon.code, discountCents: couponCents } : null,
        subtotalCents: subtotal,
        discountCents: discountTotal + couponCents,
        shipping: { method: express ? 'express' : 'standard', costCents: shippingCents, parcels },
        vatCents: taxTotal,
        totalCents,
        invoice,
        recommendations: recommend(catalogue, lines),
      },
    };
  };
}
