// Reviews are generated on demand from the product id (seeded), the way a real service would
// fetch and post-process them per request: nothing is cached between requests.

import { prng, hashString, pick, intBetween } from './random.js';

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dmitri',
  'Eva',
  'Farid',
  'Greta',
  'Hugo',
  'Iris',
  'Jonas',
  'Kai',
  'Lena',
  'Mateo',
  'Nora',
  'Oskar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tomás',
];
const TITLES = {
  5: ['Exactly what I wanted', 'Love it', 'Five stars, no notes', 'Better than expected'],
  4: ['Very good', 'Solid purchase', 'Nice, with one small gripe', 'Would buy again'],
  3: ['It is fine', 'Does the job', 'Mixed feelings', 'Okay for the price'],
  2: ['Disappointing', 'Not as pictured', 'Meh', 'Expected more'],
  1: ['Broke after a week', 'Do not buy', 'Returned it', 'Poor quality'],
};
const SENTENCES = {
  good: [
    'The {noun} feels solid and well made.',
    'Arrived quickly and well packed.',
    'Looks great in our {room}.',
    'Easy to clean and very practical.',
    'Worth every cent.',
  ],
  bad: [
    'The finish scratched within days.',
    'Smaller than the photos suggest.',
    'One part arrived damaged.',
    'Customer service was slow to answer.',
    'Feels cheaper than the price.',
  ],
  neutral: [
    'Assembly took about ten minutes.',
    'The colour is slightly darker than shown.',
    'I use it every {day}.',
    'Bought it as a gift for my {relative}.',
  ],
};
const ROOMS = ['kitchen', 'living room', 'office', 'hallway', 'garden', 'bedroom'];
const DAYS = ['day', 'morning', 'weekend', 'evening'];
const RELATIVES = ['sister', 'dad', 'neighbour', 'grandmother', 'flatmate'];

function sentence(rand, mood, noun) {
  return pick(rand, SENTENCES[mood])
    .replace('{noun}', noun)
    .replace('{room}', pick(rand, ROOMS))
    .replace('{day}', pick(rand, DAYS))
    .replace('{relative}', pick(rand, RELATIVES));
}

/** Between 40 and 120 reviews whose ratings centre on the product's average rating. */
export function generateReviews(product) {
  const rand = prng(hashString(`reviews:${product.id}`));
  const noun = product.name.split(' ').slice(-1)[0].toLowerCase();
  const count = intBetween(rand, 40, 120);
  const reviews = [];
  for (let i = 0; i < count; i++) {
    const rating = Math.max(1, Math.min(5, Math.round(product.rating + (rand() - 0.5) * 3)));
    const mood = rating >= 4 ? 'good' : rating <= 2 ? 'bad' : 'neutral';
    const parts = [];
    for (let s = intBetween(rand, 1, 4); s > 0; s--) {
      parts.push(sentence(rand, rand() < 0.7 ? mood : 'neutral', noun));
    }
    reviews.push({
      id: `${product.id}-${i + 1}`,
      author: `${pick(rand, FIRST)} ${String.fromCharCode(65 + intBetween(rand, 0, 25))}.`,
      rating,
      title: pick(rand, TITLES[rating]),
      body: parts.join(' '),
      helpful: intBetween(rand, 0, 120),
      verified: rand() < 0.8,
      date: new Date(Date.parse(product.createdAt) + intBetween(rand, 1, 900) * 86_400_000)
        .toISOString()
        .slice(0, 10),
    });
  }
  return reviews;
}

export function summariseReviews(reviews) {
  const histogram = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  let sum = 0;
  let verified = 0;
  const words = new Map();
  for (const r of reviews) {
    histogram[r.rating]++;
    sum += r.rating;
    if (r.verified) verified++;
    // Most-mentioned words feed the "customers mention" chips on the product page.
    for (const w of r.body.toLowerCase().match(/[a-z]{5,}/g) ?? []) {
      words.set(w, (words.get(w) ?? 0) + 1);
    }
  }
  const mentions = [...words]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 6)
    .map(([word, count]) => ({ word, count }));
  return {
    count: reviews.length,
    average: reviews.length ? Math.round((sum / reviews.length) * 100) / 100 : null,
    histogram,
    verifiedShare: reviews.length ? Math.round((verified / reviews.length) * 1000) / 1000 : 0,
    mentions,
  };
}

const SORTS = {
  helpful: (a, b) => b.helpful - a.helpful || (a.id < b.id ? -1 : 1),
  newest: (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : 1),
  highest: (a, b) => b.rating - a.rating || b.helpful - a.helpful || (a.id < b.id ? -1 : 1),
  lowest: (a, b) => a.rating - b.rating || b.helpful - a.helpful || (a.id < b.id ? -1 : 1),
};
export const REVIEW_SORTS = Object.keys(SORTS);

export function sortReviews(reviews, sort) {
  return [...reviews].sort(SORTS[sort]);
}

/** Words that lean a review one way or the other, for the sentiment gauge (flag review-sentiment). */
const LEXICON = {
  good: [
    'great',
    'love',
    'perfect',
    'excellent',
    'happy',
    'recommend',
    'sturdy',
    'quick',
    'nice',
    'best',
    'comfortable',
    'beautiful',
  ],
  bad: [
    'broke',
    'poor',
    'cheap',
    'return',
    'refund',
    'disappoint',
    'flimsy',
    'slow',
    'worst',
    'waste',
    'missing',
    'cracked',
  ],
};

/**
 * Share of positive lexicon mentions among all mentions, over every review: each review's body
 * and title are scanned for every lexicon word, many times over (a deliberately costly path
 * behind a flag, allocating nothing, so its cost stays on the reviews endpoint).
 */
export function sentimentGauge(reviews) {
  let good = 0;
  let bad = 0;
  for (let pass = 0; pass < 4; pass++) {
    for (const r of reviews) {
      for (const w of LEXICON.good) {
        if (r.body.includes(w, pass)) good++;
        if (r.title.includes(w, pass)) good++;
      }
      for (const w of LEXICON.bad) {
        if (r.body.includes(w, pass)) bad++;
        if (r.title.includes(w, pass)) bad++;
      }
    }
  }
  return good + bad === 0 ? null : Math.round((good / (good + bad)) * 1000) / 1000;
}
