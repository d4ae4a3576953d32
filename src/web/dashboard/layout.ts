import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Markup } from './html.ts';
import type { User } from '../../services/users.ts';
import type { Ctx } from '../../services/context.ts';
import { csrfToken } from './session.ts';

export interface Assets {
  css: string;
  js: string;
}

export interface PageOptions {
  title: string;
  assets: Assets;
  user?: User | null;
  /** Needed for the sign-out form when a user is signed in. */
  csrf?: string;
  body: Markup;
}

export function page(o: PageOptions): string {
  const account = o.user
    ? html`<nav class="account" aria-label="Account">
        <a href="/app/projects">Projects</a>
        <span class="who">${o.user.email}</span>
        <form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="${o.csrf}"><button type="submit" class="link">Sign out</button></form>
      </nav>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · Vigil</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${o.assets.css}">
<script type="module" src="${o.assets.js}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/app">Vigil</a>${account}</header>
<main id="main">
${o.body}
</main>
</body>
</html>`.value;
}

export function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** "2026-11-27 14:03 UTC", inside a <time> with the exact instant. */
export function time(ms: number): Markup {
  const d = new Date(ms).toISOString();
  return html`<time datetime="${d}">${d.slice(0, 10)} ${d.slice(11, 16)} UTC</time>`;
}

export function messagePage(assets: Assets, title: string, message: string, user?: User | null, csrf?: string, link: { href: string; text: string } = { href: '/app', text: 'Go to the dashboard' }): string {
  return page({ title, assets, user, csrf, body: html`<section class="card narrow"><h1>${title}</h1><p>${message}</p><p><a href="${link.href}">${link.text}</a></p></section>` });
}

/** What every dashboard route module receives. */
export interface Deps {
  ctx: Ctx;
  assets: Assets;
  /** Base of the heartbeat ping URLs shown with healthchecks. */
  publicUrl: string;
  /** Charts read raw check results (with phases) for periods within this many days. */
  rawRetentionDays: number;
}

/** A page for the signed-in user (header with their email and the sign-out form). */
export function sendUserPage(assets: Assets, req: FastifyRequest, reply: FastifyReply, status: number, title: string, body: Markup) {
  return sendPage(reply, status, page({ title, assets, user: req.dash.user, csrf: csrfToken(req, reply), body }));
}
