import { classify, failure, sendJson } from '../http.ts';
import type { Channel } from '../channel.ts';

const ICON = { down: ':red_circle:', up: ':large_green_circle:', info: ':large_blue_circle:' };
// Slack mrkdwn treats &, < and > specially.
const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack incoming webhook: a text fallback and one section block with a link to the dashboard. */
export const slack: Channel = {
  async send(d, env) {
    const m = d.message;
    const text = `${ICON[m.tone]} *${escapeMrkdwn(m.title)}*\n${m.lines.map(escapeMrkdwn).join('\n')}${m.link ? `\n<${m.link}|Open in Vigil>` : ''}`;
    try {
      return classify(
        await sendJson(
          d.config.url as string,
          { text: `${m.title}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] },
          env,
        ),
        env.clock(),
      );
    } catch (err) {
      return failure(err);
    }
  },
};
