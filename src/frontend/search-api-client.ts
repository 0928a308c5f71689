import type { Upstream } from './upstream.ts';

/** One query to the search API, in its own parameter names' terms. */
export interface SearchQuery {
  q: string;
  count: number;
  start: number;
  /** filter_<field> values, e.g. `{ organisations: ['hmrc'] }`. */
  filters: Record<string, string[]>;
  /** aggregate_<field>=<n>: facet counts to ask for. */
  aggregates: Record<string, number>;
  /** e.g. `-public_timestamp`; unset, the search API orders by relevance. */
  order?: string;
}

export interface SearchResult {
  title: string;
  link: string;
  description: string | undefined;
  public_timestamp: string | undefined;
  content_store_document_type: string | undefined;
  organisations: { slug: string; title: string }[];
}

export interface FacetOption {
  slug: string;
  title: string | undefined;
  documents: number;
}

export interface SearchResponse {
  results: SearchResult[];
  total: number;
  /** The search API stopped counting at `total`: there are at least that many. */
  totalIsEstimate: boolean;
  start: number;
  aggregates: Record<string, FacetOption[]>;
}

export interface SearchApiClient {
  /** The results, or undefined when the search API cannot answer now. */
  search(query: SearchQuery, requestId?: string): Promise<SearchResponse | undefined>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An organisation in a result: a slug string, or an object with slug (or link) and title. */
function organisation(v: unknown): { slug: string; title: string } | undefined {
  if (typeof v === 'string') return { slug: v, title: v };
  const o = obj(v);
  const slug = str(o.slug) ?? str(o.link)?.split('/').pop();
  return slug ? { slug, title: str(o.title) ?? str(o.acronym) ?? slug } : undefined;
}

function result(v: unknown): SearchResult | undefined {
  const r = obj(v);
  const title = str(r.title);
  const link = str(r.link);
  if (!title || !link) return undefined;
  return {
    title,
    link,
    description: str(r.description),
    public_timestamp: str(r.public_timestamp),
    content_store_document_type: str(r.content_store_document_type),
    organisations: list(r.organisations).map(organisation).filter((o) => o !== undefined),
  };
}

function facetOptions(v: unknown): FacetOption[] {
  return list(obj(v).options).flatMap((o) => {
    const option = obj(o);
    const value = obj(option.value);
    const slug = str(value.slug) ?? str(option.value);
    return slug ? [{ slug, title: str(value.title), documents: Number(option.documents) || 0 }] : [];
  });
}

/** The URL of one query: the search API's documented `search.json` parameters. */
export function searchUrl(baseUrl: string, query: SearchQuery): string {
  const params = new URLSearchParams({ q: query.q, count: String(query.count), start: String(query.start) });
  if (query.order) params.set('order', query.order);
  for (const [field, values] of Object.entries(query.filters)) for (const v of values) params.append(`filter_${field}`, v);
  for (const [field, n] of Object.entries(query.aggregates)) params.set(`aggregate_${field}`, String(n));
  return `${baseUrl.replace(/\/+$/, '')}/search.json?${params}`;
}

/** The search API over HTTP; its answer is checked field by field, since it is another team's service. */
export function searchApiClient(baseUrl: string, upstream: Upstream): SearchApiClient {
  return {
    async search(query, requestId) {
      const res = await upstream.get(searchUrl(baseUrl, query), requestId);
      if (res.status !== 200) return undefined;
      const body = obj(res.body);
      const results = list(body.results).map(result).filter((r) => r !== undefined);
      const aggregates = Object.fromEntries(Object.entries(obj(body.aggregates)).map(([field, a]) => [field, facetOptions(a)]));
      return { results, total: Number(body.total) || 0, totalIsEstimate: body.total_is_estimate === true, start: Number(body.start) || 0, aggregates };
    },
  };
}
