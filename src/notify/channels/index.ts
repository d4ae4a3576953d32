import type { ChannelKind } from '../../domain/channels.ts';
import type { Channel } from '../channel.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { ntfy } from './ntfy.ts';
import { opsgenie } from './opsgenie.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { telegram } from './telegram.ts';
import { webhook } from './webhook.ts';

/** Every channel kind's sender, one file each. */
export const CHANNELS: Record<ChannelKind, Channel> = {
  email,
  webhook,
  slack,
  discord,
  teams,
  telegram,
  pagerduty,
  opsgenie,
  ntfy,
};
