import { classify, failure, sendJson } from '../http.ts';
import type { AlertPayload } from '../../services/alerting.ts';
import type { Channel } from '../channel.ts';

export const OPSGENIE_API = 'https://api.opsgenie.com';

/** Opsgenie Alert API: create an alert aliased by the outage uuid; acknowledge and close it by alias. */
export const opsgenie: Channel = {
  async send(d, env) {
    const p = d.payload as AlertPayload;
    const m = d.message;
    const base = `${((d.config.apiBase as string | undefined) ?? OPSGENIE_API).replace(/\/+$/, '')}/v2/alerts`;
    const alias = p.outage?.uuid ?? d.id;
    const headers = { authorization: `GenieKey ${d.config.apiKey}` };
    const action = d.event === 'outage.up' ? 'close' : d.event === 'outage.acknowledged' ? 'acknowledge' : null;
    try {
      const a = action
        ? await sendJson(
            `${base}/${encodeURIComponent(alias)}/${action}?identifierType=alias`,
            { source: 'Vigil', note: m.lines[0] },
            env,
            headers,
          )
        : await sendJson(
            base,
            {
              message: m.title.slice(0, 130),
              alias,
              description: [...m.lines, ...(m.link ? ['', m.link] : [])].join('\n').slice(0, 15000),
              source: 'Vigil',
              priority: p.event === 'test' ? 'P5' : p.notice ? 'P3' : 'P1',
              tags: ['vigil'],
              entity: p.check.name.slice(0, 512),
              details: {
                region: p.outage?.detectedLocation ?? '',
                error: p.outage?.description ?? '',
                link: m.link ?? '',
              },
            },
            env,
            headers,
          );
      return classify(a, env.clock());
    } catch (err) {
      return failure(err);
    }
  },
};
