import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import { regionsServed } from '../../services/probes.ts';
import { apiErrors } from '../schemas.ts';

const Region = Type.Object({
  region: Type.String(),
  servedBy: Type.Enum(['probe', 'built-in'], {
    description:
      "probe: live dedicated probes check it; built-in: the server's own probe does, labelled builtInLocation",
  }),
  probes: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), lastSeenAt: Type.String() })),
});

/** GET /v1/regions: what checks each region of the project's monitors (a Vigil endpoint). */
export default async function regionRoutes(app: ApiApp, opts: { liveMs: number; builtInLocation: string }) {
  app.get(
    '/v1/regions',
    {
      schema: {
        tags: ['Regional probes'],
        summary: "Each region of the project's monitors and what serves it",
        response: { 200: Type.Object({ builtInLocation: Type.String(), regions: Type.Array(Region) }), ...apiErrors },
      },
    },
    async (req) => ({
      builtInLocation: opts.builtInLocation,
      regions: await regionsServed(req.ctx, req.ctx.actor.projectId, opts.liveMs),
    }),
  );
}
