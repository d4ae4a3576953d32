import { classify, failure, sendJson } from '../http.ts';
import type { Channel } from '../channel.ts';

const COLOR = { down: 'Attention', up: 'Good', info: 'Accent' };

/**
 * Microsoft Teams: a message with one Adaptive Card, the body both Workflows ("when a Teams
 * webhook request is received") and the older incoming webhooks accept. A status page's teams
 * subscriber has no channel: the row's recipient is its webhook URL.
 */
export const teams: Channel = {
  async send(d, env) {
    const m = d.message;
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', color: COLOR[m.tone], wrap: true },
        ...m.lines.map((text) => ({ type: 'TextBlock', text, wrap: true })),
      ],
      ...(m.unsubscribe
        ? {
            actions: [
              ...(m.link ? [{ type: 'Action.OpenUrl', title: 'Open the status page', url: m.link }] : []),
              { type: 'Action.OpenUrl', title: 'Unsubscribe', url: m.unsubscribe },
            ],
          }
        : m.link
          ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Vigil', url: m.link }] }
          : {}),
    };
    try {
      const body = {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
      };
      return classify(await sendJson((d.recipient ?? d.config.url) as string, body, env), env.clock());
    } catch (err) {
      return failure(err);
    }
  },
};
