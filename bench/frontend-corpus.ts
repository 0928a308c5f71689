/**
 * The text the frontend benchmark publishes and indexes: a word list, the
 * guide it renders, the organisations and document types of the search
 * index, and the mix of searches. Everything is drawn from a seeded generator,
 * so every run renders the same guide and asks the same searches.
 */

/** A seeded PRNG (mulberry32): the same sequence for a seed, in both processes. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words English full-text search drops as stop words; a body is mostly made of them, and they cost parsing all the same. */
export const FUNCTION_WORDS = [
  'the', 'of', 'and', 'to', 'a', 'in', 'for', 'is', 'you', 'your', 'on', 'that', 'with', 'by', 'if', 'can', 'be', 'are', 'or', 'from',
  'this', 'at', 'must', 'will', 'not', 'an', 'as', 'have', 'it', 'may', 'we', 'they', 'their', 'our', 'before', 'after', 'when', 'what',
  'which', 'who', 'how', 'about', 'there', 'been', 'has', 'do', 'any', 'all', 'each', 'more',
];

/**
 * Content words, commonest first (the index draws them with that skew): the
 * vocabulary of a government site's guidance.
 */
export const COMMON_WORDS = [...new Set([
  'apply', 'tax', 'business', 'service', 'guidance', 'information', 'help', 'support', 'pay', 'government', 'application', 'check', 'need',
  'rules', 'form', 'local', 'council', 'register', 'licence', 'report', 'benefit', 'scheme', 'grant', 'funding', 'payment', 'claim', 'money',
  'home', 'work', 'employer', 'employee', 'school', 'children', 'family', 'health', 'care', 'housing', 'rent', 'property', 'land', 'planning',
  'permission', 'building', 'safety', 'fire', 'police', 'court', 'legal', 'law', 'rights', 'complaint', 'appeal', 'decision', 'review',
  'deadline', 'date', 'year', 'month', 'week', 'online', 'phone', 'post', 'email', 'address', 'account', 'number', 'reference', 'document',
  'evidence', 'proof', 'identity', 'passport', 'visa', 'travel', 'vehicle', 'driving', 'road', 'transport', 'rail', 'bus', 'fuel', 'energy',
  'electricity', 'gas', 'water', 'waste', 'recycling', 'environment', 'pollution', 'flood', 'farming', 'farm', 'rural', 'animal', 'livestock',
  'cattle', 'sheep', 'pigs', 'poultry', 'bees', 'hives', 'disease', 'inspection', 'inspector', 'movement', 'crops', 'soil', 'trees', 'woodland',
  'countryside', 'village', 'community', 'hall', 'shop', 'broadband', 'voucher', 'connection', 'internet', 'digital', 'data', 'privacy',
  'records', 'statistics', 'survey', 'research', 'consultation', 'policy', 'strategy', 'plan', 'budget', 'spending', 'contract', 'tender',
  'supplier', 'trade', 'import', 'export', 'customs', 'duty', 'vat', 'income', 'pension', 'retirement', 'savings', 'loan', 'debt', 'insolvency',
  'company', 'director', 'charity', 'volunteer', 'employment', 'jobs', 'training', 'apprenticeship', 'skills', 'education', 'university',
  'student', 'finance', 'childcare', 'nursery', 'disability', 'carer', 'allowance', 'credit', 'universal', 'jobseeker', 'sickness', 'maternity',
  'paternity', 'leave', 'holiday', 'wages', 'minimum', 'hours', 'overtime', 'contract', 'dismissal', 'redundancy', 'tribunal', 'discrimination',
  'equality', 'immigration', 'citizenship', 'settlement', 'asylum', 'border', 'marriage', 'divorce', 'birth', 'death', 'probate', 'will',
  'inheritance', 'estate', 'gift', 'trust', 'fraud', 'crime', 'victim', 'prison', 'probation', 'sentence', 'fine', 'penalty', 'enforcement',
  'notice', 'warning', 'order', 'certificate', 'permit', 'exemption', 'eligibility', 'criteria', 'conditions', 'requirements', 'standards',
  'quality', 'food', 'hygiene', 'alcohol', 'gambling', 'tobacco', 'medicines', 'hospital', 'doctor', 'nurse', 'dentist', 'vaccination',
  'coronavirus', 'emergency', 'defence', 'armed', 'forces', 'veterans', 'military', 'medal', 'honours', 'embassy', 'consulate', 'overseas',
  'abroad', 'foreign', 'aid', 'development', 'climate', 'net', 'zero', 'heating', 'insulation', 'boiler', 'solar', 'wind', 'nuclear', 'coal',
  'mining', 'fishing', 'marine', 'coast', 'harbour', 'boat', 'shipping', 'aviation', 'airport', 'drone', 'space', 'science', 'technology',
  'innovation', 'patent', 'trademark', 'copyright', 'design', 'museum', 'library', 'heritage', 'arts', 'culture', 'sport', 'lottery', 'media',
  'broadcasting', 'television', 'radio', 'newspaper', 'election', 'voting', 'parliament', 'minister', 'secretary', 'department', 'agency',
  'office', 'commission', 'board', 'authority', 'regulator', 'ombudsman', 'inquiry', 'audit', 'accounts', 'annual', 'quarterly', 'monthly',
  'guide', 'step', 'stage', 'process', 'renew', 'change', 'cancel', 'update', 'replace', 'lost', 'stolen', 'damaged', 'urgent', 'fast',
  'track', 'cost', 'fee', 'free', 'discount', 'refund', 'receipt', 'invoice', 'bank', 'card', 'cheque', 'transfer', 'deposit', 'bond',
  'lease', 'tenant', 'landlord', 'mortgage', 'repair', 'eviction', 'homeless', 'shelter', 'social', 'welfare', 'protection', 'safeguarding',
  'adoption', 'fostering', 'young', 'people', 'older', 'adults', 'mental', 'wellbeing', 'isolation', 'loneliness', 'transport', 'cycling',
  'walking', 'parking', 'congestion', 'toll', 'bridge', 'tunnel', 'motorway', 'speed', 'camera', 'test', 'theory', 'practical', 'lorry',
  'coach', 'taxi', 'operator', 'goods', 'dangerous', 'chemicals', 'pesticides', 'fertiliser', 'manure', 'slurry', 'hedgerow', 'footpath',
  'access', 'open', 'closed', 'temporary', 'permanent', 'seasonal', 'workers', 'migrant', 'sponsor', 'skilled', 'graduate', 'investor',
])];

/** Syllables for place-like names: the rare words a real index is full of (places, schemes, people). */
const ONSETS = ['ash', 'brad', 'cal', 'dun', 'el', 'fen', 'glen', 'hal', 'ing', 'kes', 'lang', 'mar', 'nor', 'ock', 'pen', 'ros', 'sel', 'thorn', 'up', 'wick', 'yar', 'bram', 'cor', 'dray'];
const MIDDLES = ['', 'a', 'e', 'i', 'o', 'er', 'in', 'le', 'ing', 'ham'];
const CODAS = ['bury', 'by', 'combe', 'dale', 'den', 'field', 'ford', 'gate', 'hurst', 'ley', 'mere', 'minster', 'mouth', 'port', 'stead', 'stow', 'thwaite', 'ton', 'well', 'worth', 'wood'];

/** The rare words: every onset, middle and coda combined (24 × 10 × 21 = 5,040 names). */
export const RARE_WORDS: string[] = ONSETS.flatMap((o) => MIDDLES.flatMap((m) => CODAS.map((c) => `${o}${m}${c}`)));

export interface Organisation {
  slug: string;
  title: string;
  acronym: string;
}

const ORG_NAMES = [
  'Department for Rural Affairs', 'HM Revenue and Customs', 'Department for Transport', 'Home Office', 'Department for Education',
  'Department of Health and Social Care', 'Ministry of Justice', 'Department for Work and Pensions', 'Ministry of Defence',
  'Foreign, Commonwealth and Development Office', 'Department for Business and Trade', 'Cabinet Office', 'HM Treasury',
  'Department for Culture, Media and Sport', 'Department for Energy Security and Net Zero', 'Environment Agency', 'Driver and Vehicle Licensing Agency',
  'Companies House', 'Land Registry', 'Food Standards Agency', 'Animal and Plant Health Agency', 'Forestry Commission', 'Natural England',
  'Marine Management Organisation', 'Charity Commission', 'Office for National Statistics', 'Intellectual Property Office', 'Met Office',
  'Student Loans Company', 'The Pensions Regulator',
];

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const acronym = (s: string) => s.split(/[\s,]+/).filter((w) => /^[A-Z]/.test(w)).map((w) => w[0]).join('');

/** The organisations documents are tagged to, commonest first. */
export const ORGANISATIONS: Organisation[] = ORG_NAMES.map((title) => ({ slug: slug(title), title, acronym: acronym(title) }));

/** Document types of the index, commonest first. */
export const DOCUMENT_TYPES = [
  'guidance', 'news_story', 'press_release', 'detailed_guide', 'answer', 'guide', 'form', 'statutory_guidance', 'transaction',
  'policy_paper', 'consultation_outcome', 'research', 'official_statistics', 'correspondence', 'speech', 'case_study',
];

/** Index `[0, n)`, skewed towards 0: `power` 1 is uniform, 2 gives the head a good share, as word and tag frequencies do. */
export function skewed(random: () => number, n: number, power: number): number {
  return Math.min(n - 1, Math.floor(n * Math.pow(random(), power)));
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

// --- The guide ------------------------------------------------------------------------

function sentence(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = random();
    out.push(r < 0.45 ? pick(random, FUNCTION_WORDS) : r < 0.97 ? COMMON_WORDS[skewed(random, COMMON_WORDS.length, 1.6)]! : pick(random, RARE_WORDS));
  }
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function paragraph(random: () => number): string {
  return Array.from({ length: 2 + Math.floor(random() * 3) }, () => sentence(random, 10 + Math.floor(random() * 12))).join(' ');
}

function title(random: () => number, words: number): string {
  const t = Array.from({ length: words }, () => COMMON_WORDS[skewed(random, COMMON_WORDS.length, 1.3)]!).join(' ');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}`;
}

/**
 * One part of a mainstream guide, about 450-550 words: paragraphs, h2 and h3
 * sections, a bulleted list of internal and external links, a numbered list
 * of steps, and a table once in a while. Part bodies on GOV.UK's guides run
 * from a hundred words to a couple of thousand.
 */
function partBody(random: () => number, basePath: string, slugs: string[]): string {
  const blocks: string[] = [paragraph(random), paragraph(random)];
  for (let s = 0; s < 3; s++) {
    blocks.push(`## ${title(random, 3 + Math.floor(random() * 3))}`, paragraph(random));
    if (s === 0) {
      blocks.push(
        'You’ll need:',
        Array.from({ length: 4 + Math.floor(random() * 3) }, () => `- ${sentence(random, 6 + Math.floor(random() * 6)).slice(0, -1)}`).join('\n'),
      );
    }
    if (s === 1) {
      blocks.push(
        Array.from({ length: 5 }, (_, i) => `${i + 1}. ${sentence(random, 8 + Math.floor(random() * 8))}`).join('\n'),
        `### ${title(random, 2 + Math.floor(random() * 3))}`,
        paragraph(random),
      );
    }
    if (s === 2) {
      const links = [
        ...slugs.slice(0, 2).map((sl) => `- [${title(random, 3)}](${basePath}/${sl})`),
        `- [${title(random, 4)}](/guidance/${pick(random, COMMON_WORDS)}-${pick(random, COMMON_WORDS)})`,
        `- [${title(random, 3)}](https://www.example.org/${pick(random, COMMON_WORDS)})`,
      ];
      blocks.push(`Read more about ${title(random, 2).toLowerCase()}:`, links.join('\n'), paragraph(random));
    }
  }
  return blocks.join('\n\n');
}

export const GUIDE_PARTS = 5;

/** The guide's parts: title, slug and a Markdown body each. */
export function guideParts(basePath: string): { title: string; slug: string; body: string }[] {
  const random = seeded(5);
  const titles = ['Overview', 'Who can apply', 'What you’ll need', 'How to apply', 'After you apply'].slice(0, GUIDE_PARTS);
  const slugs = titles.map(slug);
  return titles.map((t, i) => ({ title: t, slug: slugs[i]!, body: partBody(random, basePath, slugs.filter((_, j) => j !== i)) }));
}

// --- The searches ---------------------------------------------------------------------

export const QUERY_KINDS = ['one word', 'two words', 'word + filter', 'word + aggregates', 'no q, newest first'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** How often each kind is asked, out of 100. */
const KIND_WEIGHTS: Record<QueryKind, number> = { 'one word': 35, 'two words': 20, 'word + filter': 15, 'word + aggregates': 15, 'no q, newest first': 15 };

export interface SearchRequest {
  kind: QueryKind;
  /** The query string of /search.json, without the '?'. */
  query: string;
}

/**
 * A word as a reader types it: two in three are common words (any of them,
 * from those in nearly every document to those in a few percent), one in three
 * a rare name, found in a few hundred documents.
 */
function queryWord(random: () => number): string {
  return random() < 2 / 3 ? pick(random, COMMON_WORDS) : pick(random, RARE_WORDS);
}

/** `count` searches in the benchmark's mix, the same for every run and both setups. */
export function searchMix(count: number): SearchRequest[] {
  const random = seeded(11);
  const kinds = QUERY_KINDS.flatMap((k) => Array<QueryKind>(KIND_WEIGHTS[k]).fill(k));
  const out: SearchRequest[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(random, kinds);
    const p = new URLSearchParams();
    switch (kind) {
      case 'one word':
        p.set('q', queryWord(random));
        break;
      case 'two words':
        p.set('q', `${queryWord(random)} ${pick(random, COMMON_WORDS)}`);
        break;
      case 'word + filter':
        p.set('q', queryWord(random));
        if (random() < 0.5) p.set('filter_organisations', ORGANISATIONS[skewed(random, ORGANISATIONS.length, 2)]!.slug);
        else p.set('filter_content_store_document_type', DOCUMENT_TYPES[skewed(random, DOCUMENT_TYPES.length, 2)]!);
        break;
      case 'word + aggregates':
        p.set('q', queryWord(random));
        p.set('aggregate_organisations', '10');
        p.set('aggregate_content_store_document_type', '10');
        break;
      case 'no q, newest first':
        p.set('order', '-public_timestamp');
        p.set('count', '20');
        p.set('start', String(20 * Math.floor(random() * 5)));
        break;
    }
    out.push({ kind, query: p.toString() });
  }
  return out;
}
