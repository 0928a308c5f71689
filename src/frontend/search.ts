import { displayDate } from './dates.ts';
import { humanise, type Page } from './page.ts';
import type { FacetOption, SearchApiClient } from './search-api-client.ts';

export const PER_PAGE = 20;
/** Facets the page offers: the query parameter, the search API field, and the legend. */
const FACETS = [
  { param: 'organisations', field: 'organisations', legend: 'Organisation' },
  { param: 'document_type', field: 'content_store_document_type', legend: 'Document type' },
] as const;
const FACET_OPTIONS = 10;
/** Past this a query is a crawler walking pages, not a reader. */
const MAX_PAGE = 500;
const MAX_QUERY = 500;
const MAX_VALUES = 20;

export interface SearchParams {
  q: string;
  page: number;
  filters: Record<(typeof FACETS)[number]['param'], string[]>;
}

/** The query string of /search, bounded: anything odd is dropped, never an error page. */
export function parseSearchParams(query: URLSearchParams): SearchParams {
  const page = Number(query.get('page') ?? '1');
  const values = (name: string) => [...new Set(query.getAll(name).map((v) => v.trim()).filter((v) => v && v.length <= 200))].slice(0, MAX_VALUES);
  return {
    q: (query.get('q') ?? '').trim().slice(0, MAX_QUERY),
    page: Number.isInteger(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1,
    filters: { organisations: values('organisations'), document_type: values('document_type') },
  };
}

function href(params: SearchParams, page: number): string {
  const q = new URLSearchParams();
  if (params.q) q.set('q', params.q);
  for (const f of FACETS) for (const v of params.filters[f.param]) q.append(f.param, v);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/search?${s}` : '/search';
}

/** The page numbers around the current one, with gaps as ellipses, as govukPagination lists them. */
function pageItems(params: SearchParams, current: number, last: number) {
  const shown = [...new Set([1, current - 1, current, current + 1, last])].filter((n) => n >= 1 && n <= last).sort((a, b) => a - b);
  const items: Record<string, unknown>[] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(params, n), current: n === current });
  });
  return items;
}

function facetItems(options: FacetOption[], chosen: string[], param: string) {
  const items = options.map((o) => ({
    value: o.slug,
    text: `${o.title ?? (param === 'document_type' ? humanise(o.slug) : o.slug)} (${o.documents})`,
    checked: chosen.includes(o.slug),
  }));
  // A chosen value with no results left still shows, ticked, so it can be unticked.
  for (const v of chosen) if (!options.some((o) => o.slug === v)) items.push({ value: v, text: param === 'document_type' ? humanise(v) : v, checked: true });
  return items;
}

/** The search page: the form, facets, the count, the results and pages; 503 with the form alone when search is down. */
export async function searchPage(api: SearchApiClient, params: SearchParams, requestId?: string): Promise<Page> {
  const found = await api.search(
    {
      q: params.q,
      count: PER_PAGE,
      start: (params.page - 1) * PER_PAGE,
      filters: { organisations: params.filters.organisations, content_store_document_type: params.filters.document_type },
      aggregates: Object.fromEntries(FACETS.map((f) => [f.field, FACET_OPTIONS])),
    },
    requestId,
  );
  const base: Page = {
    status: 200,
    template: 'search.njk',
    title: 'Search',
    lang: 'en',
    breadcrumbs: [{ text: 'Home', href: '/' }],
    related: [],
    view: { q: params.q },
  };
  if (!found) return { ...base, status: 503, view: { q: params.q, unavailable: true } };
  const last = Math.max(1, Math.ceil(found.total / PER_PAGE));
  return {
    ...base,
    view: {
      q: params.q,
      total: found.total,
      totalIsEstimate: found.totalIsEstimate,
      facets: FACETS.map((f) => ({
        name: f.param,
        legend: f.legend,
        items: facetItems(found.aggregates[f.field] ?? [], params.filters[f.param], f.param),
      })).filter((f) => f.items.length > 0),
      results: found.results.map((r) => ({
        title: r.title,
        href: r.link,
        description: r.description,
        date: displayDate(r.public_timestamp),
        documentType: r.content_store_document_type && humanise(r.content_store_document_type),
        organisations: r.organisations.map((o) => o.title).join(', '),
      })),
      pagination: last > 1 && {
        previous: params.page > 1 ? { href: href(params, params.page - 1) } : undefined,
        next: params.page < last ? { href: href(params, params.page + 1) } : undefined,
        items: pageItems(params, params.page, last),
      },
    },
  };
}
