import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCHEMA_DIR, loadSchemas } from './schemas.ts';
import { validateRoutesAndRedirects } from './routes.ts';

const registry = loadSchemas();
type Payload = Record<string, unknown>;

function example(name: string): Payload {
  return JSON.parse(readFileSync(join(DEFAULT_SCHEMA_DIR, 'examples', `${name}.json`), 'utf8')) as Payload;
}

const REQUIRED_SCHEMAS = [
  'answer', 'detailed_guide', 'gone', 'guide', 'homepage', 'news_article',
  'organisation', 'person', 'redirect', 'special_route', 'taxon',
];

test('every required schema is loaded, and each has exactly one example', () => {
  for (const name of REQUIRED_SCHEMAS) assert.ok(registry.has(name), name);
  const examples = readdirSync(join(DEFAULT_SCHEMA_DIR, 'examples')).map((f) => f.replace(/\.json$/, '')).sort();
  assert.deepEqual(examples, registry.names());
});

for (const name of REQUIRED_SCHEMAS) {
  test(`the ${name} example passes its schema and the routes checks`, () => {
    const payload = example(name);
    assert.equal(payload['schema_name'], name);
    assert.equal(registry.validate(name, payload), null);
    assert.equal(validateRoutesAndRedirects(payload as never), null);
  });
}

test('an answer whose body is a Markdown string is valid', () => {
  const payload = {
    base_path: '/renew-fishing-licence',
    title: 'Renew your fishing licence',
    schema_name: 'answer',
    document_type: 'answer',
    publishing_app: 'publisher',
    rendering_app: 'frontend',
    routes: [{ path: '/renew-fishing-licence', type: 'exact' }],
    details: { body: '## Renew online\n\nYou can renew up to **30 days** before your licence runs out.' },
  };
  assert.equal(registry.validate('answer', payload), null);
});

test('document types per schema', () => {
  assert.deepEqual(registry.documentTypes('news_article'), [
    'press_release', 'news_story', 'government_response', 'world_news_story',
  ]);
  for (const name of registry.names().filter((n) => n !== 'news_article')) {
    assert.deepEqual(registry.documentTypes(name), [name]);
  }
});

const without = (...fields: string[]) => (p: Payload) => {
  for (const f of fields) delete p[f];
};
const set = (field: string, value: unknown) => (p: Payload) => {
  p[field] = value;
};
const setDetail = (field: string, value: unknown) => (p: Payload) => {
  (p['details'] as Payload)[field] = value;
};
const long = '/' + 'a'.repeat(512);

// [schema, what, change to its example, field, one expected message]
const CASES: [string, string, (p: Payload) => void, string, string][] = [
  ['answer', 'missing title', without('title'), 'title', 'is required'],
  ['answer', 'missing details', without('details'), 'details', 'is required'],
  ['answer', 'missing routes', without('routes'), 'routes', 'is required'],
  ['answer', 'missing rendering_app', without('rendering_app'), 'rendering_app', 'is required'],
  ['answer', 'missing publishing_app', without('publishing_app'), 'publishing_app', 'is required'],
  ['answer', 'missing base_path', without('base_path'), 'base_path', 'is required'],
  ['answer', 'missing document_type', without('document_type'), 'document_type', 'is required'],
  ['answer', 'missing schema_name', without('schema_name'), 'schema_name', 'is required'],
  ['answer', 'numeric title', set('title', 42), 'title', 'must be a string'],
  ['answer', 'blank title', set('title', '  '), 'title', 'must not be blank'],
  ['answer', 'numeric description', set('description', 3), 'description', 'must be a string or null'],
  ['answer', 'unknown top-level field', set('colour', 'blue'), 'colour', 'is not allowed'],
  ['answer', 'content_id in the body', set('content_id', '296a1476-32e0-4533-a391-3d83458c8716'), 'content_id', 'is not allowed'],
  ['answer', 'relative base_path', set('base_path', 'renew'), 'base_path',
    'must be an absolute path such as /browse/benefits (URL path characters only)'],
  ['answer', 'base_path with a space', set('base_path', '/renew licence'), 'base_path',
    'must be an absolute path such as /browse/benefits (URL path characters only)'],
  ['answer', 'base_path over 512', set('base_path', long), 'base_path', 'must be at most 512 characters'],
  ['answer', 'routes not an array', set('routes', '/x'), 'routes', 'must be an array'],
  ['answer', 'no routes', set('routes', []), 'routes', 'must not be empty'],
  ['answer', 'bad route type', set('routes', [{ path: '/x', type: 'fuzzy' }]), 'routes[0].type', 'must be one of: exact, prefix'],
  ['answer', 'route without type', set('routes', [{ path: '/x' }]), 'routes[0].type', 'is required'],
  ['answer', 'route with a destination', set('routes', [{ path: '/x', type: 'exact', destination: '/y' }]),
    'routes[0].destination', 'is not allowed'],
  ['answer', 'route path not a string', set('routes', [{ path: 7, type: 'exact' }]), 'routes[0].path', 'must be a string'],
  ['answer', 'bad update_type', set('update_type', 'huge'), 'update_type', 'must be one of: major, minor, republish'],
  ['answer', 'bad phase', set('phase', 'gamma'), 'phase', 'must be one of: alpha, beta, live'],
  ['answer', 'previous_version as a string', set('previous_version', '3'), 'previous_version', 'must be an integer'],
  ['answer', 'negative previous_version', set('previous_version', -1), 'previous_version', 'must be at least 0'],
  ['answer', 'bulk_publishing not boolean', set('bulk_publishing', 'yes'), 'bulk_publishing', 'must be true or false'],
  ['answer', 'publishing_app in capitals', set('publishing_app', 'Publisher'), 'publishing_app',
    'must be an app name of lower-case letters, digits and hyphens, such as frontend'],
  ['answer', 'rendering_app with a dot', set('rendering_app', 'frontend.example'), 'rendering_app',
    'must be an app name of lower-case letters, digits and hyphens, such as frontend'],
  ['answer', 'schema_name of another schema', set('schema_name', 'guide'), 'schema_name', 'must be answer'],
  ['answer', 'document_type of another schema', set('document_type', 'guide'), 'document_type', 'must be answer'],
  ['answer', 'bad date', set('first_published_at', 'yesterday'), 'first_published_at',
    'must be a date and time such as 2024-03-01T09:30:00Z'],
  ['answer', 'date without zone', set('public_updated_at', '2024-03-01T09:30:00'), 'public_updated_at',
    'must be a date and time such as 2024-03-01T09:30:00Z'],
  ['answer', 'redirects on a page', set('redirects', []), 'redirects', 'is not allowed for schema answer'],
  ['answer', 'upper-case content_id in links', set('links', { organisations: ['296A1476-32E0-4533-A391-3D83458C8716'] }),
    'links.organisations[0]', 'must be a lower-case UUID such as 5f3b8d2e-6c1a-4e8b-9f0d-2a7c4e6b8d10'],
  ['answer', 'repeated link', set('links', { organisations: ['296a1476-32e0-4533-a391-3d83458c8716', '296a1476-32e0-4533-a391-3d83458c8716'] }),
    'links.organisations', 'must not repeat an item (items 0 and 1 are the same)'],
  ['answer', 'link type in capitals', set('links', { Organisations: [] }), 'links.Organisations', 'is not allowed'],
  ['answer', 'unknown locale', set('locale', 'xx'), 'locale', 'must be one of: ar, az, be, bg, bn, cs, cy'],
  ['answer', 'body a number', setDetail('body', 5), 'details.body', 'must be a string or an array'],
  ['answer', 'body an empty array', setDetail('body', []), 'details.body', 'must not be empty'],
  ['answer', 'body only in plain text', setDetail('body', [{ content_type: 'text/plain', content: 'Hello' }]),
    'details.body', 'must include a text/html or text/markdown entry'],
  ['answer', 'body entry without content', setDetail('body', [{ content_type: 'text/html' }]), 'details.body[0].content', 'is required'],
  ['answer', 'unknown details field', setDetail('colour', 'blue'), 'details.colour', 'is not allowed'],
  ['answer', 'missing body', (p) => delete (p['details'] as Payload)['body'], 'details.body', 'is required'],
  ['guide', 'missing parts', (p) => delete (p['details'] as Payload)['parts'], 'details.parts', 'is required'],
  ['guide', 'slug with a space', (p) => (((p['details'] as Payload)['parts'] as Payload[])[1]!['slug'] = 'Register hives'),
    'details.parts[1].slug', 'must be lower-case letters, digits and hyphens, such as how-to-claim'],
  ['guide', 'part without a body', (p) => delete ((p['details'] as Payload)['parts'] as Payload[])[0]!['body'],
    'details.parts[0].body', 'is required'],
  ['news_article', 'document type of another schema', set('document_type', 'speech'), 'document_type',
    'must be one of: press_release, news_story, government_response, world_news_story'],
  ['news_article', 'image without alt text', setDetail('image', { url: '/media/x.jpg' }), 'details.image.alt_text', 'is required'],
  ['organisation', 'unknown status', setDetail('organisation_govuk_status', { status: 'asleep' }),
    'details.organisation_govuk_status.status', 'must be one of: live, joining, exempt'],
  ['redirect', 'a title', set('title', 'Old page'), 'title', 'is not allowed for schema redirect'],
  ['redirect', 'a description', set('description', 'Moved'), 'description', 'is not allowed for schema redirect'],
  ['redirect', 'details', set('details', {}), 'details', 'is not allowed for schema redirect'],
  ['redirect', 'a rendering_app', set('rendering_app', 'frontend'), 'rendering_app', 'is not allowed for schema redirect'],
  ['redirect', 'routes', set('routes', [{ path: '/rural-broadband-vouchers', type: 'exact' }]), 'routes',
    'is not allowed for schema redirect'],
  ['redirect', 'no redirects', without('redirects'), 'redirects', 'is required'],
  ['redirect', 'redirect without destination', set('redirects', [{ path: '/x', type: 'exact' }]), 'redirects[0].destination', 'is required'],
  ['redirect', 'bad segments_mode', set('redirects', [{ path: '/x', type: 'prefix', destination: '/y', segments_mode: 'keep' }]),
    'redirects[0].segments_mode', 'must be one of: preserve, ignore'],
  ['redirect', 'bad redirect_type', set('redirects', [{ path: '/x', type: 'exact', destination: '/y', redirect_type: 'forever' }]),
    'redirects[0].redirect_type', 'must be one of: permanent, temporary'],
  ['gone', 'a title', set('title', 'Gone'), 'title', 'is not allowed for schema gone'],
  ['gone', 'a description', set('description', 'Gone'), 'description', 'is not allowed for schema gone'],
  ['gone', 'a rendering_app', set('rendering_app', 'frontend'), 'rendering_app', 'is not allowed for schema gone'],
  ['gone', 'no base_path', without('base_path'), 'base_path', 'is required'],
  ['gone', 'unknown details field', setDetail('reason', 'closed'), 'details.reason', 'is not allowed'],
  ['gone', 'relative alternative_path', setDetail('alternative_path', 'news'), 'details.alternative_path',
    'must be an absolute path such as /browse/benefits (URL path characters only)'],
];

for (const [schema, what, change, field, message] of CASES) {
  test(`${schema}: ${what} -> ${field}: ${message}`, () => {
    const payload = example(schema);
    change(payload);
    const errors = registry.validate(schema, payload);
    assert.ok(errors, 'expected errors');
    const messages = errors[field];
    assert.ok(messages, `no error for ${field}; got ${JSON.stringify(errors)}`);
    assert.ok(
      messages.some((m) => m.startsWith(message)),
      `${field}: expected "${message}", got ${JSON.stringify(messages)}`,
    );
  });
}

test('one mistake gives one field and one reason, without anyOf noise', () => {
  const payload = example('answer');
  (payload['details'] as Payload)['body'] = { html: '<p>Hi</p>' };
  assert.deepEqual(registry.validate('answer', payload), { 'details.body': ['must be a string or an array'] });

  const entries = example('news_article');
  (entries['details'] as Payload)['body'] = [{ content_type: 'text/markdown', content: 'Hi', rendered: true }];
  assert.deepEqual(registry.validate('news_article', entries), { 'details.body[0].rendered': ['is not allowed'] });
});

test('a gone with only what it needs is valid', () => {
  const payload = { base_path: '/old', schema_name: 'gone', document_type: 'gone', publishing_app: 'publisher' };
  assert.equal(registry.validate('gone', payload), null);
});

test('a payload that is not an object is reported against the whole payload', () => {
  assert.deepEqual(registry.validate('answer', ['title']), { payload: ['must be an object'] });
  assert.deepEqual(registry.validate('answer', null), { payload: ['must be an object'] });
});

test('an unknown schema is reported as a schema_name error; get and documentTypes throw', () => {
  assert.deepEqual(registry.validate('recipe', {}), { schema_name: ['is not a known schema: recipe'] });
  assert.equal(registry.has('recipe'), false);
  assert.throws(() => registry.get('recipe'), /unknown schema: recipe/);
  assert.throws(() => registry.documentTypes('recipe'), /unknown schema: recipe/);
});

test('get returns the schema, frozen so callers cannot change what validation sees', () => {
  const schema = registry.get('answer') as Record<string, unknown>;
  assert.equal(schema['$id'], 'answer.json');
  assert.ok(Object.isFrozen(schema));
  assert.ok(Object.isFrozen(schema['properties']));
});

function brokenDir(name: string, schema: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-schemas-'));
  cpSync(join(DEFAULT_SCHEMA_DIR, 'shared'), join(dir, 'shared'), { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(schema));
  return dir;
}

const BROKEN: [string, string, unknown, RegExp][] = [
  ['an $id that is not the file name', 'recipe',
    { $id: 'food.json', type: 'object', properties: { schema_name: { const: 'recipe' }, document_type: { enum: ['recipe'] } } },
    /recipe\.json: \$id must be "recipe\.json"/],
  ['no document types', 'recipe',
    { $id: 'recipe.json', type: 'object', properties: { schema_name: { const: 'recipe' } } },
    /properties\.document_type must have an enum/],
  ['anyOf beside another keyword', 'recipe',
    { $id: 'recipe.json', type: 'object', properties: { schema_name: { const: 'recipe' }, document_type: { enum: ['recipe'] },
      title: { minLength: 1, anyOf: [{ type: 'string' }, { type: 'null' }] } } },
    /recipe\.json\/properties\/title: anyOf\/oneOf must stand alone; move minLength/],
  ['an unknown keyword', 'recipe',
    { $id: 'recipe.json', type: 'object', properties: { schema_name: { const: 'recipe' }, document_type: { enum: ['recipe'] },
      title: { type: 'string', minLenght: 1 } } },
    /recipe\.json: strict mode: unknown keyword: "minLenght"/],
  ['a required field with no property', 'recipe',
    { $id: 'recipe.json', type: 'object', required: ['titel'], properties: { schema_name: { const: 'recipe' }, document_type: { enum: ['recipe'] } } },
    /recipe\.json: strict mode: required property "titel"/],
];

for (const [what, name, schema, expected] of BROKEN) {
  test(`loadSchemas refuses a schema with ${what}`, () => {
    const dir = brokenDir(name, schema);
    try {
      assert.throws(() => loadSchemas(dir), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
