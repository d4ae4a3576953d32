import { SmtpError, sendMail } from '../smtp.ts';
import { plainText } from '../message.ts';
import type { Channel, Outcome } from '../channel.ts';

/**
 * Email over SMTP: the channel's `to` addresses (or the row's recipient, for subscribers and
 * people named in a policy step), through the channel's smtpUrl or VIGIL_SMTP_URL.
 */
export const email: Channel = {
  async send(d, env): Promise<Outcome> {
    const smtpUrl = (d.config.smtpUrl as string | undefined) ?? env.smtpUrl;
    if (!smtpUrl)
      return { status: 'permanent', detail: "no SMTP server configured (set VIGIL_SMTP_URL or the channel's smtpUrl)" };
    const to = d.recipient ? [d.recipient] : (d.config.to as string[]);
    const m = d.message;
    const headers: Record<string, string> = { 'X-Vigil-Event': d.event };
    if (m.unsubscribe) {
      // RFC 8058 one-click: mail clients POST the form below to the link, which unsubscribes.
      headers['List-Unsubscribe'] = `<${m.unsubscribe}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const reply = await sendMail(
        smtpUrl,
        {
          from: (d.config.from as string | undefined) ?? env.smtpFrom,
          to,
          subject: m.title,
          text: plainText(m),
          headers,
          messageId: `${d.id}@vigil`,
          date: new Date(env.clock()),
        },
        env,
      );
      return { status: 'ok', detail: reply };
    } catch (err) {
      const detail = (err as Error).message;
      if (err instanceof SmtpError && err.code >= 500) return { status: 'permanent', detail };
      if ((err as NodeJS.ErrnoException).code === 'ERR_TARGET_BLOCKED') return { status: 'permanent', detail };
      return { status: 'retryable', detail };
    }
  },
};
