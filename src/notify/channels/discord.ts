import { classify, failure, sendJson } from '../http.ts';
import type { Channel } from '../channel.ts';

const COLOR = { down: 0xd93025, up: 0x1e8e3e, info: 0x1a73e8 };

/** Discord webhook: one embed (title linking to the dashboard, the lines as its description). */
export const discord: Channel = {
  async send(d, env) {
    const m = d.message;
    const embed = {
      title: m.title.slice(0, 256),
      description: m.lines.join('\n').slice(0, 4000),
      color: COLOR[m.tone],
      ...(m.link ? { url: m.link } : {}),
      timestamp: (d.payload as { at: string }).at,
    };
    try {
      return classify(
        await sendJson(
          d.config.url as string,
          { username: 'Vigil', embeds: [embed], allowed_mentions: { parse: [] } },
          env,
        ),
        env.clock(),
      );
    } catch (err) {
      return failure(err);
    }
  },
};
