// A rename reaches every document whose expanded links show the renamed one,
// and nothing else: a parent chain, a taxon tree and an organisation, through
// the API, the queues and the workers, with the content stores recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
const ID = {
  org: '40000000-0000-4000-8000-000000000001',
  p1: '40000000-0000-4000-8000-000000000011',
  p2: '40000000-0000-4000-8000-000000000012',
  p3: '40000000-0000-4000-8000-000000000013',
  t1: '40000000-0000-4000-8000-000000000021',
  t2: '40000000-0000-4000-8000-000000000022',
  doc: '40000000-0000-4000-8000-000000000031',
  unrelated: '40000000-0000-4000-8000-000000000041',
};
const PATH: Record<keyof typeof ID, string> = {
  org: '/government/organisations/rural-affairs',
  p1: '/farming',
  p2: '/farming/livestock',
  p3: '/farming/livestock/bees',
  t1: '/environment',
  t2: '/environment/wildlife',
  doc: '/keeping-bees-safe',
  unrelated: '/driving-licences',
};

function organisation(title: string) {
  return {
    base_path: PATH.org, title, schema_name: 'organisation', document_type: 'organisation', publishing_app: 'publisher',
    rendering_app: 'frontend', update_type: 'major', routes: [{ path: PATH.org, type: 'exact' }],
    details: { body: 'We look after farming.', acronym: 'DRA', organisation_type: 'ministerial_department', organisation_govuk_status: { status: 'live' } },
  };
}
function taxon(path: string, title: string, parent?: string) {
  return {
    base_path: path, title, schema_name: 'taxon', document_type: 'taxon', publishing_app: 'publisher', rendering_app: 'frontend',
    update_type: 'major', routes: [{ path, type: 'exact' }], details: { internal_name: title },
    ...(parent ? { links: { parent_taxons: [parent] } } : {}),
  };
}

async function publishDoc(id: string, body: Record<string, unknown>) {
  const put = await h.call('PUT', `/v2/content/${id}`, body);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const pub = await h.call('POST', `/v2/content/${id}/publish`, {});
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
}

/** The live paths re-sent by `fn`. */
async function liveWritesOf(fn: () => Promise<void>): Promise<string[]> {
  h.calls.length = 0;
  await fn();
  return [...new Set(h.calls.filter((c) => c.stack === 'live').map((c) => c.basePath))].sort();
}

before(async () => {
  h = await openApiHarness();
  await publishDoc(ID.org, organisation('Department for Rural Affairs'));
  await publishDoc(ID.p1, answer(PATH.p1, { title: 'Farming' }));
  await publishDoc(ID.p2, answer(PATH.p2, { title: 'Livestock', links: { parent: [ID.p1] } }));
  await publishDoc(ID.p3, answer(PATH.p3, { title: 'Bees', links: { parent: [ID.p2] } }));
  await publishDoc(ID.t1, taxon(PATH.t1, 'Environment'));
  await publishDoc(ID.t2, taxon(PATH.t2, 'Wildlife', ID.t1));
  await publishDoc(ID.doc, answer(PATH.doc, { title: 'Keeping bees safe', links: { parent: [ID.p3], taxons: [ID.t2] } }));
  assert.equal((await h.call('PATCH', `/v2/links/${ID.doc}`, { links: { organisations: [ID.org] } })).status, 200);
  await publishDoc(ID.unrelated, answer(PATH.unrelated, { title: 'Driving licences' }));
});
after(() => h.close());

test('the live item carries its links expanded: organisation, parent chain, taxon chain', async () => {
  const sent = [...h.calls].reverse().find((c) => c.stack === 'live' && c.basePath === PATH.doc);
  const fresh = await h.call('GET', `/v2/expanded-links/${ID.doc}?with_drafts=false`);
  assert.equal(fresh.status, 200);
  const links = fresh.body.expanded_links;
  assert.equal(links.organisations[0].title, 'Department for Rural Affairs');
  assert.equal(links.parent[0].title, 'Bees');
  assert.equal(links.parent[0].links.parent[0].title, 'Livestock');
  assert.equal(links.parent[0].links.parent[0].links.parent[0].title, 'Farming');
  assert.equal(links.taxons[0].title, 'Wildlife');
  assert.equal(links.taxons[0].links.parent_taxons[0].title, 'Environment');
  assert.ok(sent, 'the document was sent to the live store');
  assert.deepEqual(sent.payload!.expanded_links, links, 'the store got exactly what the endpoint shows');
});

test('renaming the organisation re-sends the document tagged to it, and nothing else', async () => {
  const written = await liveWritesOf(() => publishDoc(ID.org, organisation('Department for Rural Affairs and Bees')));
  assert.deepEqual(written, [PATH.doc, PATH.org].sort());
  const doc = h.calls.find((c) => c.stack === 'live' && c.basePath === PATH.doc)!;
  assert.equal((doc.payload!.expanded_links as any).organisations[0].title, 'Department for Rural Affairs and Bees');
});

test('renaming the top of the parent chain reaches every page below it, and the document', async () => {
  const written = await liveWritesOf(() => publishDoc(ID.p1, answer(PATH.p1, { title: 'Farming and food' })));
  assert.deepEqual(written, [PATH.doc, PATH.p1, PATH.p2, PATH.p3].sort());
});

test('renaming the root taxon reaches its child taxon and the document tagged below it', async () => {
  const written = await liveWritesOf(() => publishDoc(ID.t1, taxon(PATH.t1, 'Environment and countryside')));
  assert.deepEqual(written, [PATH.doc, PATH.t1, PATH.t2].sort());
});

test('a change that shows in no expanded link re-sends only the document itself', async () => {
  const written = await liveWritesOf(() => publishDoc(ID.org, { ...organisation('Department for Rural Affairs and Bees'), details: { ...organisation('x').details, body: 'New body text only.' } }));
  assert.deepEqual(written, [PATH.org]);
});

test('removing a parent link: the old parent stops listing the page among its children', async () => {
  const written = await liveWritesOf(() => publishDoc(ID.p3, answer(PATH.p3, { title: 'Bees', links: {} })));
  assert.ok(written.includes(PATH.p2), `the old parent was re-sent: ${written.join(', ')}`);
  const p2 = [...h.calls].reverse().find((c) => c.stack === 'live' && c.basePath === PATH.p2)!;
  assert.equal((p2.payload!.expanded_links as any).children, undefined);
});
