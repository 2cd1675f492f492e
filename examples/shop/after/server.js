// The shop with the change under review applied.
import {
  runShop,
  parseProductId,
  notFound,
  relatedScorer,
  productPage,
  pagination,
  relevance,
  searchTerms,
  searchPage,
} from '../lib/shop.js';

// Products grouped by category, in catalogue order, so the related rail scores only candidates.
function init(state) {
  state.byCategory = new Map();
  for (const p of state.catalogue.products) {
    if (!state.byCategory.has(p.category)) state.byCategory.set(p.category, []);
    state.byCategory.get(p.category).push(p);
  }
}

function getProduct({ params, state }) {
  const id = parseProductId(params.id);
  const product = state.byId.get(id);
  if (!product) throw notFound(id);
  const score = relatedScorer(product);
  const related = state.byCategory
    .get(product.category)
    .filter((other) => other.id !== id)
    .map((other) => ({ product: other, score: score(other) }));
  return { body: productPage(product, related) };
}

function search({ query, state }) {
  const page = pagination(query);
  const { q, terms } = searchTerms(query);
  const { products, searchDocs } = state.catalogue;
  // New: also match the query with its words in the other order ("case phone" = "phone case").
  // relevance() already ignores word order, so the second pass finds nothing new: it only costs.
  const reversed = [...terms].reverse();
  const hits = [];
  for (let i = 0; i < products.length; i++) {
    const score = Math.max(relevance(terms, searchDocs[i]), relevance(reversed, searchDocs[i]));
    if (score > 0) hits.push({ product: products[i], score });
  }
  return { body: searchPage(q, terms, hits, page) };
}

runShop({ init, getProduct, search });
