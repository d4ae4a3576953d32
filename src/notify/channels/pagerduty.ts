import { classify, failure, sendJson } from '../http.ts';
import type { AlertPayload } from '../../services/alerting.ts';
import type { Channel } from '../channel.ts';

export const PAGERDUTY_EVENTS = 'https://events.pagerduty.com/v2/enqueue';

/**
 * PagerDuty Events API v2: an outage triggers, its acknowledgement acknowledges and its recovery
 * resolves the same alert (dedup_key = the outage uuid), whichever step sent it.
 */
export const pagerduty: Channel = {
  async send(d, env) {
    const p = d.payload as AlertPayload;
    const m = d.message;
    const action = d.event === 'outage.up' ? 'resolve' : d.event === 'outage.acknowledged' ? 'acknowledge' : 'trigger';
    const body: Record<string, unknown> = {
      routing_key: d.config.routingKey,
      event_action: action,
      dedup_key: p.outage?.uuid ?? d.id,
    };
    if (action === 'trigger') {
      body.payload = {
        summary: `${m.title} — ${m.lines[0] ?? ''}`.slice(0, 1024),
        source: p.check.url ?? p.check.name,
        severity: p.event === 'test' ? 'info' : p.notice ? 'warning' : 'critical',
        timestamp: p.outage?.startDate ?? p.at,
        component: p.check.name,
        group: p.project.name,
        class: p.check.protocol,
        custom_details: {
          error: p.outage?.description,
          region: p.outage?.detectedLocation,
          statusCode: p.outage?.statusCode,
          step: p.step,
        },
      };
      if (m.link) body.links = [{ href: m.link, text: 'Open in Vigil' }];
    }
    try {
      return classify(await sendJson((d.config.url as string | undefined) ?? PAGERDUTY_EVENTS, body, env), env.clock());
    } catch (err) {
      return failure(err);
    }
  },
};
