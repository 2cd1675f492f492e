// The shop, as on the main branch.
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

function getProduct({ params, state }) {
  const id = parseProductId(params.id);
  const { products } = state.catalogue;
  const product = products.find((p) => p.id === id);
  if (!product) throw notFound(id);
  const score = relatedScorer(product);
  const related = products
    .map((other) => ({ product: other, score: score(other) }))
    .filter(({ product: other }) => other.category === product.category && other.id !== id);
  return { body: productPage(product, related) };
}

function search({ query, state }) {
  const page = pagination(query);
  const { q, terms } = searchTerms(query);
  const { products, searchDocs } = state.catalogue;
  const hits = [];
  for (let i = 0; i < products.length; i++) {
    const score = relevance(terms, searchDocs[i]);
    if (score > 0) hits.push({ product: products[i], score });
  }
  return { body: searchPage(q, terms, hits, page) };
}

runShop({ getProduct, search });
