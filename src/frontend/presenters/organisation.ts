import { detailObject, detailString, linksOf } from '../content-item.ts';
import { displayDate } from '../dates.ts';
import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** The people an organisation page lists, in the order the link types are given. */
const PEOPLE_LINKS = ['ordered_ministers', 'ordered_board_members', 'people'];
const LATEST = 5;

/**
 * An organisation's home page: its logo, what it does, its people and its
 * latest documents. Documents tag their organisation, not the other way round,
 * so the latest come from the search API; the page goes on without them when
 * search is down.
 */
export const organisation: Presenter = async (item, { search, requestId }) => {
  const logo = detailObject(item.details, 'logo');
  const seen = new Set<string>();
  const people = PEOPLE_LINKS.flatMap((t) => linksOf(item.links, t))
    .filter((p) => !seen.has(p.base_path) && seen.add(p.base_path))
    .map((p) => ({ text: p.title, href: p.base_path }));
  const slug = item.base_path.split('/').pop()!;
  const found = await search.search({ q: '', count: LATEST, start: 0, order: '-public_timestamp', filters: { organisations: [slug] }, aggregates: {} }, requestId);
  const status = detailObject(item.details, 'organisation_govuk_status');
  return itemPage(item, 'organisation.njk', {
    logo: logo && {
      lines: String(logo.formatted_title ?? item.title ?? '').split('\n'),
      crest: typeof logo.crest === 'string' ? logo.crest : undefined,
    },
    acronym: detailString(item.details, 'acronym'),
    closed: status?.status !== undefined && status.status !== 'live' ? { status: String(status.status).replace(/_/g, ' ') } : undefined,
    body: markdownHtml(item.details.body)?.html,
    people,
    latest: found?.results
      .filter((r) => r.link !== item.base_path)
      .map((r) => ({ text: r.title, href: r.link, date: displayDate(r.public_timestamp), description: r.description })),
  }, { dates: false });
};
