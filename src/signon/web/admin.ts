import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listApplications } from '../applications.ts';
import { createPasswordLink } from '../password-links.ts';
import {
  createUser, findUser, grantPermissions, listUsers, parsePermissionList, permissionsOf, revokePermissions, setSuspended, UserInputError, type AppPermission, type User,
} from '../users.ts';
import { currentUser, isSignonAdmin, message, page, type Web } from './context.ts';

type Form = Record<string, string | string[] | undefined>;

const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
/** Checked boxes arrive as one value or several. */
const checked = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every application's permissions as checkboxes, ticked where `granted` has them. */
async function permissionGroups(web: Web, granted: Set<string>) {
  return (await listApplications(web.db)).map((a) => ({
    slug: a.slug,
    name: a.name,
    items: a.supportedPermissions.map((p) => ({ value: `${a.slug}:${p}`, text: p, checked: granted.has(`${a.slug}:${p}`) })),
  }));
}

async function grantedSet(web: Web, userId: string): Promise<Set<string>> {
  return new Set(Object.entries(await permissionsOf(web.db, userId)).flatMap(([app, ps]) => ps.map((p) => `${app}:${p}`)));
}

/**
 * The administration pages, for holders of `signon:admin` (who have passed
 * two-step verification to get a session at all): list, invite, change
 * permissions, suspend. Plain forms, so they work without JavaScript.
 */
export function adminRoutes(app: FastifyInstance, web: Web): void {
  const csrf = app.csrfProtection;

  /** The signed-in admin; otherwise the answer is sent (sign in first, or 403) and undefined returned. */
  const admin = async (req: FastifyRequest, reply: FastifyReply): Promise<User | undefined> => {
    const user = await currentUser(web, req);
    if (!user) {
      await reply.redirect(`/users/sign_in?return_to=${encodeURIComponent(req.url)}`, 303);
      return undefined;
    }
    if (!(await isSignonAdmin(web, user))) {
      await message(web, reply, 403, 'You cannot manage users', 'Managing users needs the signon admin permission.');
      return undefined;
    }
    return user;
  };

  const subjectPage = async (reply: FastifyReply, subject: User, extra: { inviteUrl?: string; notice?: string } = {}) =>
    page(web, reply, 200, 'admin-user.njk', {
      title: subject.name,
      subject,
      permissionGroups: await permissionGroups(web, await grantedSet(web, subject.id)),
      csrf: reply.generateCsrf(),
      isAdmin: true,
      ...extra,
    });

  app.get('/admin/users', async (req, reply) => {
    if (!(await admin(req, reply))) return reply;
    return page(web, reply, 200, 'admin-users.njk', { title: 'Users', users: await listUsers(web.db), isAdmin: true });
  });

  const newUserPage = async (reply: FastifyReply, form: Form, status = 200, errors: { field: string; text: string }[] = []) =>
    page(web, reply, status, 'admin-user-new.njk', {
      title: 'Invite a user',
      form: { name: text(form.name), email: text(form.email), organisation: text(form.organisation) },
      permissionGroups: await permissionGroups(web, new Set(checked(form.permissions))),
      csrf: reply.generateCsrf(),
      isAdmin: true,
      errors,
    });

  app.get('/admin/users/new', async (req, reply) => {
    if (!(await admin(req, reply))) return reply;
    return newUserPage(reply, {});
  });

  app.post('/admin/users', { preHandler: csrf }, async (req, reply) => {
    if (!(await admin(req, reply))) return reply;
    const form = (req.body ?? {}) as Form;
    const errors = [
      ...(text(form.name).trim() ? [] : [{ field: 'name', text: 'Enter a name' }]),
      ...(text(form.email).trim() ? [] : [{ field: 'email', text: 'Enter an email address' }]),
    ];
    if (errors.length) return newUserPage(reply, form, 400, errors);
    let user: User;
    try {
      user = await createUser(web.db, {
        name: text(form.name),
        email: text(form.email),
        organisationSlug: text(form.organisation),
        permissions: parsePermissionList(checked(form.permissions).join(',')),
      });
    } catch (err) {
      if (err instanceof UserInputError) return newUserPage(reply, form, 400, [{ field: 'email', text: err.message }]);
      throw err;
    }
    const token = await createPasswordLink(web.db, user.id, new Date(web.now()));
    return subjectPage(reply, user, { inviteUrl: `${web.issuer}/users/set_password/${token}`, notice: `${user.name} has been created` });
  });

  app.get('/admin/users/:id', async (req, reply) => {
    if (!(await admin(req, reply))) return reply;
    const subject = await findUser(web.db, (req.params as { id: string }).id);
    if (!subject) return message(web, reply, 404, 'No such user');
    return subjectPage(reply, subject);
  });

  app.post('/admin/users/:id/permissions', { preHandler: csrf }, async (req, reply) => {
    if (!(await admin(req, reply))) return reply;
    const subject = await findUser(web.db, (req.params as { id: string }).id);
    if (!subject) return message(web, reply, 404, 'No such user');
    let wanted: AppPermission[];
    try {
      wanted = parsePermissionList(checked((req.body as Form).permissions).join(','));
    } catch (err) {
      if (err instanceof UserInputError) return message(web, reply, 400, 'There is a problem with this request', err.message);
      throw err;
    }
    const want = new Set(wanted.map((p) => `${p.application}:${p.permission}`));
    const had = await grantedSet(web, subject.id);
    await web.db.transaction(async (tx) => {
      await grantPermissions(tx, subject.id, wanted.filter((p) => !had.has(`${p.application}:${p.permission}`)));
      await revokePermissions(tx, subject.id, parsePermissionList([...had].filter((p) => !want.has(p)).join(',')));
    });
    return subjectPage(reply, subject, { notice: 'Permissions saved' });
  });

  app.post('/admin/users/:id/suspension', { preHandler: csrf }, async (req, reply) => {
    const me = await admin(req, reply);
    if (!me) return reply;
    const subject = await findUser(web.db, (req.params as { id: string }).id);
    if (!subject) return message(web, reply, 404, 'No such user');
    const suspend = text((req.body as Form).suspended) === 'true';
    if (suspend && subject.id === me.id) return message(web, reply, 400, 'You cannot suspend yourself', 'Ask another administrator.');
    await setSuspended(web.db, subject.id, suspend, new Date(web.now()));
    return subjectPage(reply, (await findUser(web.db, subject.id))!, { notice: suspend ? `${subject.name} is suspended` : `${subject.name} is no longer suspended` });
  });
}
