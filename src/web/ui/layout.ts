import { html, type Markup } from './html.ts';

/** The stylesheet and script of the dashboard, with their cache-busting versions. */
export interface Assets {
  css: string;
  js: string;
}

/** One screen of the dashboard: its title and what goes inside <main>. */
export interface Screen {
  title: string;
  body: Markup;
}

/** Around every screen: the assets and, when someone is signed in, their email and the CSRF token of the sign-out form. */
export interface Frame {
  assets: Assets;
  user?: { email: string } | null;
  csrf?: string;
}

export function page(frame: Frame, screen: Screen): string {
  const account = frame.user
    ? html`<nav class="account" aria-label="Account">
        <a href="/app/projects">Projects</a>
        <span class="who">${frame.user.email}</span>
        <a href="/app/account">Account</a>
        <form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="${frame.csrf}"><button type="submit" class="link">Sign out</button></form>
      </nav>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${screen.title} · Vigil</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${frame.assets.css}">
<script type="module" src="${frame.assets.js}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/app">Vigil</a>${account}</header>
<main id="main">
${screen.body}
</main>
</body>
</html>`.value;
}

/** A short message in a card: errors, refusals, "already set up". */
export function messageScreen(
  title: string,
  message: string,
  link: { href: string; text: string } = { href: '/app', text: 'Go to the dashboard' },
): Screen {
  return {
    title,
    body: html`<section class="card narrow"><h1>${title}</h1><p>${message}</p><p><a href="${link.href}">${link.text}</a></p></section>`,
  };
}
