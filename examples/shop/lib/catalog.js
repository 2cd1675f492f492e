// The in-memory catalogue: 2000 products generated from a fixed seed, plus the text
// tokeniser that search uses. Generation runs once at start-up, before /healthz answers.

import { prng, pick, intBetween, sample } from './random.js';

export const CATALOGUE_SIZE = 2000;
const SEED = 20240611;

const CATEGORIES = [
  {
    name: 'Kitchen',
    code: 'KIT',
    nouns: [
      'Skillet',
      'Saucepan',
      'Knife Set',
      'Cutting Board',
      'Kettle',
      'Mixing Bowl',
      'Spatula',
      'Colander',
    ],
  },
  {
    name: 'Garden',
    code: 'GAR',
    nouns: ['Planter', 'Trowel', 'Hose Reel', 'Pruner', 'Bird Feeder', 'Watering Can', 'Rake'],
  },
  {
    name: 'Office',
    code: 'OFF',
    nouns: [
      'Desk Lamp',
      'Notebook',
      'Pen Holder',
      'Monitor Stand',
      'Desk Organizer',
      'Stapler',
      'Chair Mat',
    ],
  },
  {
    name: 'Outdoor',
    code: 'OUT',
    nouns: [
      'Tent',
      'Sleeping Bag',
      'Backpack',
      'Camping Stove',
      'Headlamp',
      'Water Bottle',
      'Hammock',
    ],
  },
  {
    name: 'Home',
    code: 'HOM',
    nouns: ['Throw Blanket', 'Cushion', 'Candle', 'Vase', 'Picture Frame', 'Wall Clock', 'Rug'],
  },
  {
    name: 'Bath',
    code: 'BTH',
    nouns: ['Towel Set', 'Bath Mat', 'Soap Dispenser', 'Shower Caddy', 'Toothbrush Holder', 'Robe'],
  },
  {
    name: 'Toys',
    code: 'TOY',
    nouns: ['Puzzle', 'Building Blocks', 'Plush Bear', 'Kite', 'Board Game', 'Yo-Yo', 'Train Set'],
  },
  {
    name: 'Audio',
    code: 'AUD',
    nouns: ['Headphones', 'Speaker', 'Turntable', 'Earbuds', 'Soundbar', 'Radio'],
  },
  {
    name: 'Fitness',
    code: 'FIT',
    nouns: ['Yoga Mat', 'Dumbbell', 'Jump Rope', 'Foam Roller', 'Kettlebell', 'Resistance Band'],
  },
  {
    name: 'Pets',
    code: 'PET',
    nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Food Bowl', 'Chew Toy', 'Litter Box', 'Pet Carrier'],
  },
  {
    name: 'Lighting',
    code: 'LGT',
    nouns: ['Pendant Light', 'Floor Lamp', 'String Lights', 'Lantern', 'Night Light', 'Sconce'],
  },
  {
    name: 'Travel',
    code: 'TRV',
    nouns: ['Suitcase', 'Packing Cubes', 'Neck Pillow', 'Toiletry Bag', 'Luggage Tag', 'Duffel'],
  },
];

const ADJECTIVES = [
  'Classic',
  'Compact',
  'Deluxe',
  'Everyday',
  'Handmade',
  'Heavy-Duty',
  'Lightweight',
  'Modern',
  'Nordic',
  'Portable',
  'Premium',
  'Rustic',
  'Sleek',
  'Sturdy',
  'Vintage',
  'Ergonomic',
  'Foldable',
  'Crème',
  'Café',
  'Señor',
  'Smart',
  'Cozy',
  'Minimalist',
  'Retro',
];
const MATERIALS = [
  'Oak',
  'Walnut',
  'Bamboo',
  'Steel',
  'Copper',
  'Ceramic',
  'Linen',
  'Cotton',
  'Wool',
  'Leather',
  'Glass',
  'Marble',
  'Cast-Iron',
  'Silicone',
  'Canvas',
  'Rattan',
  'Aluminium',
  'Stoneware',
];
const BRANDS = [
  'Acme',
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Woodgrove',
  'Litware',
  'Proseware',
  'Adatum',
  'Lucerne',
  'Margie',
  'Trey',
  'Wingtip',
  'Fourth Coffee',
  'Alpine Ski',
  'Blue Yonder',
  'Coho',
  'Humongous',
  'Lamna',
  'Relecloud',
  'Southridge',
  'VanArsdel',
  'Wide World',
  'Graphic Design',
];
const TAGS = [
  'eco',
  'bestseller',
  'new',
  'gift',
  'sale',
  'durable',
  'waterproof',
  'handmade',
  'organic',
  'wireless',
  'compact',
  'family',
  'premium',
  'budget',
  'outdoor',
  'indoor',
  'vegan',
  'recycled',
  'dishwasher-safe',
  'travel',
  'kids',
  'pro',
  'limited',
  'classic',
  'modern',
  'rustic',
  'minimal',
  'ergonomic',
  'portable',
  'foldable',
  'cordless',
  'rechargeable',
  'stackable',
  'washable',
  'non-stick',
  'lightweight',
  'heavy-duty',
  'vintage',
  'smart',
  'quiet',
  'warm',
  'cool',
];
const OPENERS = [
  'Designed for {use}, this {adj} {noun} pairs {material} construction with a clean, timeless look.',
  'Our {adj} {noun} is built from {material} and made to handle {use} without fuss.',
  'Meet the {noun} that makes {use} easier: {material}, {adj}, and ready out of the box.',
  'A {adj} take on the {noun}, crafted in {material} for {use}.',
];
const DETAILS = [
  'It resists scratches and stains, and wipes clean in seconds.',
  'The finish is hand-checked before it ships, so every piece looks its best.',
  'Reviewers love how quiet and stable it feels in daily use.',
  'Thoughtful details include rounded edges, a non-slip base and a generous warranty.',
  'It packs flat for delivery and assembles in minutes without tools.',
  'Each batch is tested for durability, colour fastness and safety.',
  'The recycled packaging is plastic-free and fully compostable.',
  'Pairs well with the rest of the collection for a consistent look.',
  'Light enough to carry, sturdy enough to last for years.',
  'A favourite with families, gift-givers and first apartments alike.',
];
const USES = [
  'busy weeknights',
  'weekend projects',
  'small apartments',
  'long trips',
  'the home office',
  'rainy afternoons',
  'outdoor adventures',
  'everyday cooking',
  'entertaining guests',
  'kids and pets',
];

function fill(template, words) {
  return template.replace(/\{(\w+)\}/g, (_, k) => words[k]);
}

// Words that carry no search signal.
const STOPWORDS = new Set(
  'a an and are as at be by for from in is it its of on or our the this to with without'.split(' '),
);

/**
 * Lower-cases, folds accents ("Crème" → "creme"), splits on anything that is not a letter or
 * digit, drops stopwords and a trailing plural "s". Used for both documents and queries, so
 * a query for "cafe skillets" matches "Café Skillet".
 */
export function tokenize(text) {
  // Accent folding is costly and most text is plain ASCII, so only fold when needed.
  const plain = /^[\x00-\x7f]*$/.test(text)
    ? text
    : text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const folded = plain.toLowerCase();
  const out = [];
  for (const raw of folded.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue;
    out.push(raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return out;
}

/** Term → count, for scoring how often a query term appears in a description. */
export function termFrequencies(tokens) {
  const tf = new Map();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

function generateProduct(rand, id) {
  const category = CATEGORIES[(id * 7 + intBetween(rand, 0, 3)) % CATEGORIES.length];
  const noun = pick(rand, category.nouns);
  const adj = pick(rand, ADJECTIVES);
  const material = pick(rand, MATERIALS);
  const brand = pick(rand, BRANDS);
  const use = pick(rand, USES);
  const words = {
    adj: adj.toLowerCase(),
    noun: noun.toLowerCase(),
    material: material.toLowerCase(),
    use,
  };
  const description = [
    fill(pick(rand, OPENERS), words),
    ...sample(rand, DETAILS, intBetween(rand, 2, 4)),
  ].join(' ');
  const priceCents = intBetween(rand, 5, 400) * 100 - (rand() < 0.7 ? 1 : 0);
  const day = intBetween(rand, 0, 1400);
  const name = `${brand} ${adj} ${material} ${noun}`;
  return {
    id,
    sku: `${category.code}-${String(id).padStart(5, '0')}-${brand.slice(0, 3).toUpperCase()}`,
    name,
    // Normalised name words, shared by search and the related-products rail; never serialised.
    keywords: tokenize(name),
    brand,
    category: category.name,
    priceCents,
    currency: 'EUR',
    tags: sample(rand, TAGS, intBetween(rand, 3, 6)),
    description,
    rating: Math.round((2.5 + rand() * 2.5) * 10) / 10,
    reviewCount: intBetween(rand, 0, 900),
    weightGrams: intBetween(rand, 80, 12000),
    dimensionsCm: [intBetween(rand, 5, 90), intBetween(rand, 5, 60), intBetween(rand, 2, 40)],
    stock: {
      ams: intBetween(rand, 0, 60),
      fra: intBetween(rand, 0, 60),
      mad: intBetween(rand, 0, 30),
    },
    // Fixed epoch plus a drawn offset: stable across runs, unlike Date.now().
    createdAt: new Date(Date.UTC(2021, 0, 1) + day * 86_400_000).toISOString(),
  };
}

/** Builds the catalogue. Search tokens are computed once here so queries need not re-tokenise. */
export function createCatalogue(size = CATALOGUE_SIZE) {
  const rand = prng(SEED);
  const products = [];
  for (let id = 1; id <= size; id++) products.push(generateProduct(rand, id));
  const searchDocs = products.map((p) => ({
    name: p.keywords,
    tags: p.tags,
    description: termFrequencies(tokenize(p.description)),
  }));
  return { products, searchDocs, categories: CATEGORIES.map((c) => c.name) };
}
