import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import type { Sso } from '../platform/sso/client.ts';
import { ssoAuth } from './sso-auth.ts';
import { can } from './users.ts';

test("signon's publisher permissions become this app's, and decide who may publish", async () => {
  const sso = {
    currentUser: async () => ({ uid: 'u1', name: 'Ada', email: 'ada@example.org', organisation_slug: 'dra', permissions: ['signin', 'editor'], disabled: false }),
  } as unknown as Sso;
  const user = await ssoAuth(sso).currentUser({ headers: {} } as FastifyRequest);
  assert.deepEqual(user, { uid: 'u1', name: 'Ada', email: 'ada@example.org', organisation_slug: 'dra', permissions: ['publisher:signin', 'publisher:editor'] });
  assert.equal(can(user!, 'edit'), true);
  assert.equal(can(user!, 'publish'), false);
  assert.equal(await ssoAuth({ currentUser: async () => null } as unknown as Sso).currentUser({ headers: {} } as FastifyRequest), null);
});
