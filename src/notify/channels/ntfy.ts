import { classify, failure, send } from '../http.ts';
import type { Channel } from '../channel.ts';

const TAGS = { down: 'rotating_light', up: 'white_check_mark', info: 'information_source' };
// Header values must be Latin-1: other text goes as an RFC 2047 encoded word, which ntfy decodes.
const header = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);

/** ntfy: POST the text to the topic URL with Title, Priority, Tags and Click headers. */
export const ntfy: Channel = {
  async send(d, env) {
    const m = d.message;
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      title: header(m.title.replace(/[\r\n]+/g, ' ')),
      priority: (d.config.priority as string | undefined) ?? (m.tone === 'down' ? 'high' : 'default'),
      tags: TAGS[m.tone],
    };
    if (m.link) headers.click = m.link;
    if (d.config.token) headers.authorization = `Bearer ${d.config.token}`;
    try {
      return classify(await send('POST', d.config.url as string, m.lines.join('\n'), headers, env), env.clock());
    } catch (err) {
      return failure(err);
    }
  },
};
