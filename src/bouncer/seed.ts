import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { AllowList, hostFrom } from './allow-list.ts';
import { planImport } from './import-rows.ts';
import { writeImportRows } from './import.ts';
import { addSite } from './sites.ts';

export const DEMO_SITE_ABBR = 'old-ministry';
export const DEMO_SITE_HOST = 'www.old-ministry.portico.localhost';

/** The retired demo site's mappings, as an import file would give them; `{origin}` is the public origin. */
const DEMO_MAPPINGS = `old url,new url
/old/page,{origin}/keeping-bees
/grants/village-halls.html,{origin}/government/news/new-grants-for-village-halls
/broadband/vouchers.aspx?id=42,{origin}/rural-broadband-vouchers
/livestock/Movements.htm,{origin}/guidance/moving-livestock-between-farms
/about/history,TNA
/publications/annual-report-2009.pdf,https://webarchive.nationalarchives.gov.uk/20100402000000/http://www.old-ministry.portico.localhost/publications/annual-report-2009.pdf
/consultations/hedgerows
`;

/**
 * Gives a new database one retired demo site, www.old-ministry.portico.localhost,
 * whose mappings point at the demo pages on the public origin, so the bouncer
 * can be tried at once. A marker row makes it once: a site an operator later
 * removes stays removed.
 */
export async function seedDemoTransitionSite(db: Db, publicOrigin: string, log: Logger): Promise<boolean> {
  const seeded = await db.transaction(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS public.portico_seeds (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())');
    const first = await tx.query("INSERT INTO public.portico_seeds (name) VALUES ('demo-transition-site') ON CONFLICT DO NOTHING RETURNING name");
    if (first.rows.length === 0) return false;
    const taken = await tx.query('SELECT 1 FROM transition.sites WHERE abbr = $1', [DEMO_SITE_ABBR]);
    if (taken.rows.length > 0) return false;
    const origin = publicOrigin.replace(/\/$/, '');
    const site = await addSite(tx, {
      abbr: DEMO_SITE_ABBR,
      hosts: [DEMO_SITE_HOST],
      homepage: `${origin}/government/organisations/department-for-rural-affairs`,
      tnaTimestamp: new Date('2014-03-31T12:00:00Z'),
      organisation: 'Old Ministry of Rural Affairs',
      queryParams: 'id',
    });
    const plan = planImport(DEMO_MAPPINGS.replaceAll('{origin}', origin), site, new AllowList([hostFrom(origin)]));
    if (plan.rejected.length > 0) throw new Error(`demo transition mappings are invalid: ${JSON.stringify(plan.rejected)}`);
    await writeImportRows(tx, site, plan.rows, { filename: 'demo', tags: ['demo'], now: new Date() });
    // An import file has no column for it; Transition's editors set it by hand.
    await tx.query("UPDATE transition.mappings SET suggested_url = $1 WHERE site_id = $2 AND path = '/consultations/hedgerows'", [`${origin}/farming-and-rural-affairs`, site.id]);
    return true;
  });
  if (seeded) log.info({ host: DEMO_SITE_HOST }, 'seeded the demo transition site');
  return seeded;
}
