import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import { deleteUser, listUsers, setUserPassword, updateUser, userView } from '../core/manage-users.ts';
import type { UserRecord } from '../core/store.ts';
import { addUser } from '../core/users.ts';
import type { OperationId } from '../dialects/dialect.ts';
import { accountCounterKeys } from '../limits/account-counters.ts';
import { audit } from '../log/audit.ts';
import { weakPasswordProblem } from './completion-handlers.ts';
import type { HandlerDeps } from './handlers.ts';
import { problem } from './problem.ts';
import type { AnyReply } from './reply.ts';
import type { ResetdContext } from './request-state.ts';

type User = components['schemas']['User'];
type Handler = (context: Context, ctx: ResetdContext) => Promise<AnyReply>;

/** The admin API's users: add, list, get, change, set a password, delete; each change audited. */
export function adminUserHandlers(deps: HandlerDeps): Partial<Record<OperationId, Handler>> {
  const actor = deps.adminActor;
  const id = (context: Context) => String(context.request.params.id);

  return {
    adminCreateUser: async (context, ctx) => {
      const outcome = await addUser(deps, context.request.requestBody as components['schemas']['NewUser']);
      switch (outcome.kind) {
        case 'added':
          audit(ctx.state.log, { action: 'user.add', actor, user: outcome.id });
          return { status: 201, body: { id: outcome.id, email: outcome.email } satisfies components['schemas']['CreatedUser'] };
        case 'exists':
          return problem(409, 'A user with this email already exists.');
        case 'invalid':
          return problem(400, outcome.message);
        case 'weak':
          return weakPasswordProblem(outcome);
      }
    },

    adminListUsers: async (context) => {
      const query = context.request.query as Record<string, string | undefined>;
      const page = await listUsers(deps, {
        after: query.after ?? null,
        emailPrefix: query.email_prefix ?? null,
        limit: query.limit === undefined ? 100 : Number(query.limit),
      });
      return { status: 200, body: { users: page.users.map(userBody), next: page.next } satisfies components['schemas']['UserPage'] };
    },

    adminGetUser: async (context) => {
      const user = await deps.store.getUser(id(context));
      return user ? { status: 200, body: userBody(user) } : noSuchUser();
    },

    adminUpdateUser: async (context, ctx) => {
      const change = context.request.requestBody as components['schemas']['UserChange'];
      const outcome = await updateUser(deps, id(context), change);
      switch (outcome.kind) {
        case 'updated':
          audit(ctx.state.log, { action: 'user.update', actor, user: outcome.user.id, fields: Object.keys(change).sort() });
          return { status: 200, body: userBody(outcome.user) };
        case 'missing':
          return noSuchUser();
        case 'exists':
          return problem(409, 'Another user has this email.');
        case 'invalid':
          return problem(400, outcome.message);
      }
    },

    adminSetUserPassword: async (context, ctx) => {
      const { password } = context.request.requestBody as components['schemas']['NewPassword'];
      const outcome = await setUserPassword(deps, id(context), password);
      switch (outcome.kind) {
        case 'done':
          audit(ctx.state.log, { action: 'user.set_password', actor, user: id(context) });
          return { status: 204 };
        case 'missing':
          return noSuchUser();
        case 'weak':
          return weakPasswordProblem(outcome);
      }
    },

    adminDeleteUser: async (context, ctx) => {
      const outcome = await deleteUser({ store: deps.store, counterKeys: accountCounterKeys }, id(context));
      if (outcome === 'missing') return noSuchUser();
      audit(ctx.state.log, { action: 'user.delete', actor, user: id(context) });
      return { status: 204 };
    },
  };
}

/** The user as the admin API shows it: the operator's view, checked against the spec's schema. */
const userBody = (user: UserRecord): User => userView(user);

function noSuchUser(): AnyReply {
  return problem(404, 'No user has this id.');
}
