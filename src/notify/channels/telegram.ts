import { classify, failure, sendJson } from '../http.ts';
import type { Channel } from '../channel.ts';

export const TELEGRAM_API = 'https://api.telegram.org';

/** Telegram Bot API sendMessage, plain text (no parse mode, so nothing needs escaping). */
export const telegram: Channel = {
  async send(d, env) {
    const m = d.message;
    const base = ((d.config.apiBase as string | undefined) ?? TELEGRAM_API).replace(/\/+$/, '');
    const text = [m.title, '', ...m.lines, ...(m.link ? ['', m.link] : [])].join('\n').slice(0, 4096);
    try {
      const a = await sendJson(
        `${base}/bot${d.config.botToken}/sendMessage`,
        { chat_id: d.config.chatId, text, disable_web_page_preview: true },
        env,
      );
      const outcome = classify(a, env.clock());
      // Telegram says how long to wait in the body (parameters.retry_after, seconds).
      if (outcome.status === 'retryable' && outcome.retryAfterMs === undefined) {
        try {
          const after = JSON.parse(a.body)?.parameters?.retry_after;
          if (Number.isInteger(after)) outcome.retryAfterMs = after * 1000;
        } catch {}
      }
      // Never echo the bot token (it is part of the URL) into stored statuses.
      outcome.detail = outcome.detail.replaceAll(String(d.config.botToken), '…');
      return outcome;
    } catch (err) {
      const o = failure(err);
      o.detail = o.detail.replaceAll(String(d.config.botToken), '…');
      return o;
    }
  },
};
