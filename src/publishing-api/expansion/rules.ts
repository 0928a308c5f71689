/**
 * The rules of link expansion, as data: which link types have a reverse,
 * which paths expand beyond the first level, which target states may be shown,
 * and which fields each expanded link carries. Pure: nothing here reads the
 * database. The rules follow GOV.UK's `ExpansionRules` (reference §3).
 */
import { iso } from '../presenters.ts';
import type { Edition } from '../types.ts';

/** Where `web_url` and `api_url` point when no origin is configured. */
export const DEFAULT_ORIGIN = 'http://127.0.0.1:8080';

/** Expansion stops this many levels below the document, whatever the rules allow. */
export const MAX_DEPTH = 16;

// ---------------------------------------------------------------------------
// Reverse links

/**
 * If B links to A with the key type, A's expansion shows B under the value
 * type (`ExpansionRules::REVERSE_LINKS`).
 */
export const REVERSE_LINKS: Readonly<Record<string, string>> = Object.freeze({
  parent: 'children',
  documents: 'document_collections',
  working_groups: 'policies',
  parent_taxons: 'child_taxons',
  root_taxon: 'level_one_taxons',
  pages_part_of_step_nav: 'part_of_step_navs',
  pages_related_to_step_nav: 'related_to_step_navs',
  pages_secondary_to_step_nav: 'secondary_to_step_navs',
  person: 'role_appointments',
  role: 'role_appointments',
  ministerial: 'ministers',
});

/** Link types that have a reverse, in a stable order. */
export const REVERSIBLE_LINK_TYPES: readonly string[] = Object.freeze(Object.keys(REVERSE_LINKS).sort());

const DIRECT_OF_REVERSE = new Map<string, string[]>();
for (const [direct, reverse] of Object.entries(REVERSE_LINKS)) {
  const list = DIRECT_OF_REVERSE.get(reverse) ?? [];
  list.push(direct);
  DIRECT_OF_REVERSE.set(reverse, list);
}

/** The reverse name of a direct link type (`parent` gives `children`), if it has one. */
export function reverseLinkType(directType: string): string | undefined {
  return Object.hasOwn(REVERSE_LINKS, directType) ? REVERSE_LINKS[directType] : undefined;
}

/** Whether a link type is the name of a reverse link (`children`, `child_taxons`, ...). */
export function isReverseLinkType(linkType: string): boolean {
  return DIRECT_OF_REVERSE.has(linkType);
}

/** The direct link types a reverse type stands for (`role_appointments` gives `person` and `role`). */
export function directLinkTypes(reverseType: string): readonly string[] {
  return DIRECT_OF_REVERSE.get(reverseType) ?? [];
}

// ---------------------------------------------------------------------------
// Recursive paths

/** One step of a multi-level path: one of `types`, once, or once or more when `recurring`. */
export interface PathElement {
  types: readonly string[];
  recurring: boolean;
}

/**
 * `ExpansionRules::MULTI_LEVEL_LINK_PATHS`. Only these paths expand below the
 * first level. `x*` may repeat; `a|b` is either type.
 */
const PATH_SOURCES: readonly string[] = [
  'associated_taxons*',
  'child_taxons > associated_taxons*',
  'child_taxons*',
  'parent*',
  'parent_taxons*',
  'parent_taxons* > root_taxon',
  'taxons > root_taxon',
  'taxons > parent_taxons*',
  'taxons > parent_taxons* > root_taxon',
  'ordered_related_items > mainstream_browse_pages > parent*',
  'ordered_related_items_overrides > taxons',
  'role_appointments > person',
  'role_appointments > role',
  'role_appointments > role > ordered_parent_organisations',
  'ministers > role_appointments > person',
  [
    'ordered_also_attends_cabinet', 'ordered_assistant_whips', 'ordered_baronesses_and_lords_in_waiting_whips',
    'ordered_board_members', 'ordered_cabinet_ministers', 'ordered_chief_professional_officers', 'ordered_house_lords_whips',
    'ordered_house_of_commons_whips', 'ordered_junior_lords_of_the_treasury_whips', 'ordered_military_personnel',
    'ordered_ministers', 'office_staff', 'primary_role_person', 'secondary_role_person', 'ordered_special_representatives',
    'ordered_traffic_commissioners',
  ].join('|') + ' > role_appointments > role',
  'ordered_ministerial_departments > ordered_ministers > role_appointments > role',
  'ordered_ministerial_departments > ordered_roles',
  'historical_accounts > person',
  'main_office > contact',
  'home_page_offices > contact',
  'worldwide_organisation > sponsoring_organisations',
  'worldwide_organisation > world_locations > world_location_news',
  'world_locations > world_location_news',
];

function parsePath(source: string): PathElement[] {
  return source.split('>').map((part) => {
    const p = part.trim();
    const recurring = p.endsWith('*');
    return { types: Object.freeze((recurring ? p.slice(0, -1) : p).split('|')), recurring };
  });
}

export const MULTI_LEVEL_LINK_PATHS: readonly (readonly PathElement[])[] = Object.freeze(PATH_SOURCES.map(parsePath));

/**
 * A point in matching a path against one rule: `rule` indexes
 * MULTI_LEVEL_LINK_PATHS, `step` is how many of its elements have been
 * entered (0 = at the document being expanded).
 */
export interface PathState {
  rule: number;
  step: number;
}

/** The states after following `linkType` from `state`, walking forwards. */
function forward(state: PathState, linkType: string): PathState[] {
  const rule = MULTI_LEVEL_LINK_PATHS[state.rule]!;
  const out: PathState[] = [];
  const next = rule[state.step];
  if (next?.types.includes(linkType)) out.push({ rule: state.rule, step: state.step + 1 });
  const current = state.step > 0 ? rule[state.step - 1] : undefined;
  if (current?.recurring && current.types.includes(linkType)) out.push(state);
  return out;
}

/**
 * The link types to expand below an item reached along `path` (the link types
 * from the document down to the item, at least one): only what a multi-level
 * path allows. (At the document itself every link type expands; that is not
 * this function's business.)
 */
export function nextLinkTypes(path: readonly string[]): string[] {
  if (path.length >= MAX_DEPTH) return [];
  let states: PathState[] = MULTI_LEVEL_LINK_PATHS.map((_, rule) => ({ rule, step: 0 }));
  for (const t of path) states = states.flatMap((s) => forward(s, t));
  const out = new Set<string>();
  for (const s of states) {
    const rule = MULTI_LEVEL_LINK_PATHS[s.rule]!;
    for (const t of rule[s.step]?.types ?? []) out.add(t);
    const current = s.step > 0 ? rule[s.step - 1] : undefined;
    if (current?.recurring) for (const t of current.types) out.add(t);
  }
  return [...out].sort();
}

/**
 * Walking backwards (dependency resolution): an item was reached by following
 * `linkType` into a path state; these are the states the item it was reached
 * from can be in. With no `states` given, the item is the end of some path.
 * Step 0 in the result means the item it was reached from can be the document
 * being expanded.
 */
export function backwardStates(linkType: string, states?: readonly PathState[]): PathState[] {
  if (!states) {
    let cached = END_STATES.get(linkType);
    if (!cached) {
      cached = stepBack(linkType, ALL_END_STATES);
      END_STATES.set(linkType, cached);
    }
    return [...cached];
  }
  return stepBack(linkType, states);
}

/** Every state a path can end in: any element of any rule entered. */
const ALL_END_STATES: readonly PathState[] = MULTI_LEVEL_LINK_PATHS.flatMap((rule, r) => rule.map((_, i) => ({ rule: r, step: i + 1 })));
const END_STATES = new Map<string, PathState[]>();

function stepBack(linkType: string, states: readonly PathState[]): PathState[] {
  const out: PathState[] = [];
  for (const s of states) {
    if (s.step === 0) continue;
    const element = MULTI_LEVEL_LINK_PATHS[s.rule]![s.step - 1]!;
    if (!element.types.includes(linkType)) continue;
    out.push({ rule: s.rule, step: s.step - 1 });
    // Or, for a recurring element, the previous item was already inside it.
    if (element.recurring) out.push(s);
  }
  return out;
}

/** The link types a backward step may take out of a state (the element that was entered to reach it). */
export function typesIntoState(state: PathState): readonly string[] {
  if (state.step === 0) return [];
  return MULTI_LEVEL_LINK_PATHS[state.rule]![state.step - 1]!.types;
}

// ---------------------------------------------------------------------------
// Which targets may be shown

/** Unpublished (withdrawn) targets are shown only under these link types (`Link::PERMITTED_UNPUBLISHED_LINK_TYPES`). */
export const PERMITTED_UNPUBLISHED_LINK_TYPES: readonly string[] = Object.freeze(['children', 'parent', 'related_statistical_data_sets']);

/** Whether an edition may appear as a linked item at all: draft, published, or withdrawn (not gone, redirected or vanished). */
export function isLinkable(e: Pick<Edition, 'state' | 'unpublishing'>): boolean {
  if (e.state === 'draft' || e.state === 'published') return true;
  return e.state === 'unpublished' && e.unpublishing?.type === 'withdrawal';
}

/** Whether a linkable target edition is shown under this link type (`should_link?`). */
export function shouldLink(linkType: string, e: Pick<Edition, 'state'>): boolean {
  return e.state !== 'unpublished' || PERMITTED_UNPUBLISHED_LINK_TYPES.includes(linkType);
}

/**
 * State preference among a document's editions (`GetEditionIdsWithFallbacks`):
 * with drafts, the draft first, then the live edition; without, the live one only.
 */
export function statePreference(withDrafts: boolean): readonly ('draft' | 'live')[] {
  return withDrafts ? ['draft', 'live'] : ['live'];
}

/** Locale preference for linked items: the document's own locale, then English. */
export function localePreference(locale: string): string[] {
  return locale === 'en' ? ['en'] : [locale, 'en'];
}

// ---------------------------------------------------------------------------
// Fields

export const MANDATORY_FIELDS: readonly string[] = Object.freeze(['content_id', 'title', 'locale']);
export const DEFAULT_FIELDS: readonly string[] = Object.freeze([
  ...MANDATORY_FIELDS, 'analytics_identifier', 'api_path', 'base_path', 'document_type', 'public_updated_at', 'schema_name', 'withdrawn',
]);

const details = (...names: string[]) => names.map((n) => `details.${n}`);
const without = (fields: readonly string[], ...drop: string[]) => fields.filter((f) => !drop.includes(f));

/** Person links from ministers' index pages (`ordered_*` types). */
export const MINISTER_LINK_TYPES: readonly string[] = Object.freeze([
  'ordered_also_attends_cabinet', 'ordered_assistant_whips', 'ordered_baronesses_and_lords_in_waiting_whips',
  'ordered_board_members', 'ordered_cabinet_ministers', 'ordered_chief_professional_officers', 'ordered_house_lords_whips',
  'ordered_house_of_commons_whips', 'ordered_junior_lords_of_the_treasury_whips', 'ordered_military_personnel',
  'ordered_ministers', 'ordered_special_representatives', 'ordered_traffic_commissioners',
]);

/** Role document types other than ministerial_role. */
export const ROLE_DOCUMENT_TYPES: readonly string[] = Object.freeze([
  'ambassador_role', 'board_member_role', 'chief_professional_officer_role', 'chief_scientific_officer_role',
  'deputy_head_of_mission_role', 'governor_role', 'high_commissioner_role', 'military_role', 'special_representative_role',
  'traffic_commissioner_role', 'worldwide_office_staff_role',
]);

/**
 * A per-document-type field list (`CUSTOM_EXPANSION_FIELDS`). A field is a
 * top-level name or a dotted path into the edition (`details.logo`).
 */
export interface FieldRule {
  document_types: readonly string[];
  /** When given, the rule applies only under these link types. */
  link_types?: readonly string[];
  fields: readonly string[];
}

export const CUSTOM_EXPANSION_FIELDS: readonly FieldRule[] = Object.freeze([
  { document_types: ['redirect', 'gone'], fields: [] },
  {
    document_types: ['contact'],
    fields: [...DEFAULT_FIELDS, ...details('description', 'title', 'contact_form_links', 'post_addresses', 'email_addresses', 'phone_numbers')],
  },
  {
    document_types: ['organisation'],
    fields: [...without(DEFAULT_FIELDS, 'public_updated_at'), ...details('acronym', 'logo', 'brand', 'default_news_image', 'organisation_govuk_status')],
  },
  { document_types: ['taxon'], fields: [...DEFAULT_FIELDS, 'description', 'details', 'phase'] },
  {
    document_types: ['finder'],
    link_types: ['finder'],
    fields: [...DEFAULT_FIELDS, ...details('facets', 'show_metadata_block', 'show_table_of_contents', 'index_documents_in_search_engines')],
  },
  {
    document_types: ['mainstream_browse_page', 'service_manual_topic', 'world_location_news', 'coronavirus_landing_page'],
    fields: [...DEFAULT_FIELDS, 'description'],
  },
  { document_types: ['person'], link_types: ['person'], fields: [...DEFAULT_FIELDS, ...details('body', 'image')] },
  { document_types: ['person'], link_types: MINISTER_LINK_TYPES, fields: [...DEFAULT_FIELDS, ...details('image', 'privy_counsellor')] },
  { document_types: ['role_appointment'], fields: [...DEFAULT_FIELDS, ...details('started_on', 'ended_on', 'current', 'person_appointment_order')] },
  { document_types: ['ministerial_role'], fields: [...DEFAULT_FIELDS, ...details('body', 'role_payment_type', 'seniority', 'whip_organisation')] },
  { document_types: ROLE_DOCUMENT_TYPES, fields: [...DEFAULT_FIELDS, ...details('body', 'role_payment_type')] },
  { document_types: ['step_by_step_nav'], fields: [...DEFAULT_FIELDS, 'details.step_by_step_nav.title', 'details.step_by_step_nav.steps'] },
  { document_types: ['travel_advice'], fields: [...DEFAULT_FIELDS, ...details('country', 'change_description')] },
  { document_types: ['worldwide_office'], fields: [...DEFAULT_FIELDS, ...details('access_and_opening_times')] },
  {
    document_types: ['worldwide_organisation'],
    fields: [...DEFAULT_FIELDS, 'description', ...details('logo', 'world_location_names', 'default_news_image')],
  },
  { document_types: ['government'], fields: [...MANDATORY_FIELDS, 'api_path', 'base_path', 'document_type', ...details('started_on', 'ended_on', 'current')] },
]);

/**
 * The fields an item of this document type carries under this link type: a
 * rule for both wins, then one for the document type alone, then the defaults.
 */
export function expansionFields(documentType: string, linkType: string): readonly string[] {
  let typeOnly: FieldRule | undefined;
  for (const rule of CUSTOM_EXPANSION_FIELDS) {
    if (!rule.document_types.includes(documentType)) continue;
    if (rule.link_types) {
      if (rule.link_types.includes(linkType)) return rule.fields;
    } else {
      typeOnly ??= rule;
    }
  }
  return typeOnly?.fields ?? DEFAULT_FIELDS;
}

/** Every field an item of this document type can carry under any link type: what others embed of it. */
export function allExpansionFields(documentType: string): string[] {
  const out = new Set<string>();
  let typeOnly = false;
  for (const rule of CUSTOM_EXPANSION_FIELDS) {
    if (!rule.document_types.includes(documentType)) continue;
    if (!rule.link_types) typeOnly = true;
    for (const f of rule.fields) out.add(f);
  }
  if (!typeOnly) for (const f of DEFAULT_FIELDS) out.add(f);
  return [...out].sort();
}

/** `/api/content<base_path>`. */
export function apiPath(basePath: string): string {
  return `/api/content${basePath}`;
}

/** An absolute URL on the public site. */
export function webUrl(origin: string, path: string): string {
  return `${origin.replace(/\/+$/, '')}${path}`;
}

function computed(e: Edition, field: string): unknown {
  switch (field) {
    case 'api_path':
      return e.base_path ? apiPath(e.base_path) : null;
    case 'withdrawn':
      return e.state === 'unpublished' && e.unpublishing?.type === 'withdrawal';
    case 'public_updated_at':
      return iso(e.public_updated_at);
    default:
      return (e as unknown as Record<string, unknown>)[field] ?? null;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

function getPath(source: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let at = source;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, key)) return { found: false, value: undefined };
    at = (at as Record<string, unknown>)[key];
  }
  return { found: true, value: at };
}

/**
 * Picks the given fields out of an edition. Top-level fields are always
 * present (null when empty); a dotted field is copied only when the edition
 * has it, and `details` appears only when something was copied into it.
 */
export function pickFields(e: Edition, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path = field.split('.');
    if (path.length === 1) {
      out[field] = computed(e, field);
      continue;
    }
    const got = getPath(computed(e, path[0]!), path.slice(1));
    if (got.found) setPath(out, path, got.value);
  }
  return out;
}
