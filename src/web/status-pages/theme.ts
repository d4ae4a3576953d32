import { FONTS, type PageLanguage, type PageSettings } from '../../domain/statuspages.ts';

/**
 * The look of a public page: the owner's theme, accent colour, font and logo height, each
 * value re-checked, and the one stylesheet they fill in (inline, under the page's CSP nonce).
 */

export interface Chrome {
  lang: PageLanguage;
  nonce: string;
  theme: PageSettings['theme'];
  accent: string;
  font: string;
  logoHeight: string;
}

const DEFAULT_ACCENT = '#36b27e';

/** The page's look, each value re-checked: they end up inside CSS. */
export function chromeOf(settings: Partial<PageSettings> | null, lang: PageLanguage, nonce: string): Chrome {
  const s = settings ?? {};
  return {
    lang,
    nonce,
    theme: s.theme === 'light' || s.theme === 'dark' ? s.theme : 'system',
    accent:
      typeof s.accent_color === 'string' && /^#[0-9a-fA-F]{6}$/.test(s.accent_color)
        ? s.accent_color.toLowerCase()
        : DEFAULT_ACCENT,
    font: typeof s.font === 'string' && (FONTS as readonly string[]).includes(s.font) ? s.font : 'system-ui',
    logoHeight:
      typeof s.logo_height === 'string' && /^\d{1,4}(?:\.\d{1,2})?(?:px|rem|em|%)$/.test(s.logo_height)
        ? s.logo_height
        : '32px',
  };
}

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

/** Named fonts are used only when installed on the reader's machine: nothing is downloaded. */
function fontStack(font: string): string {
  if (font === 'system-ui') return SANS;
  if (font === 'Merriweather') return 'Merriweather, Georgia, Cambria, "Times New Roman", serif';
  return `"${font}", ${SANS}`;
}

/** Black or white, whichever reads better on the accent colour. */
function onColour(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? '#101828' : '#ffffff';
}

const LIGHT =
  '--bg:#f5f6f8;--card:#fff;--text:#101828;--muted:#5d6679;--border:#e3e6eb;--soft:#f0f2f5;--nodata:#d5d9e0;color-scheme:light';
const DARK =
  '--bg:#0e1217;--card:#161b22;--text:#e6edf3;--muted:#9aa4b2;--border:#2b323c;--soft:#1d242d;--nodata:#343c47;color-scheme:dark';

export function css(c: Chrome): string {
  const vars =
    c.theme === 'dark'
      ? `:root{${DARK}}`
      : c.theme === 'light'
        ? `:root{${LIGHT}}`
        : `:root{${LIGHT}}@media (prefers-color-scheme:dark){:root{${DARK}}}`;
  return `${vars}
:root{--accent:${c.accent};--on-accent:${onColour(c.accent)};--up:#1f9d55;--minor:#e9b308;--partial:#f08c1a;--down:#d92d20;--maint:#2e7df6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.55 ${fontStack(c.font)};overflow-wrap:anywhere}
a{color:inherit;text-decoration-color:var(--accent);text-underline-offset:2px}
.wrap{max-width:800px;margin:0 auto;padding:0 16px}
.top{padding:28px 0 8px}
.top.banner{background:var(--accent);color:var(--on-accent);padding:28px 0 84px}
.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap}
.top a{text-decoration:none}
h1{font-size:1.45rem;line-height:1.25;margin:0}
.logo{height:${c.logoHeight};max-width:100%;display:block}
.site{font-size:.9rem;opacity:.9;text-decoration:underline!important}
.desc{margin:8px 0 0;opacity:.9}
main.wrap{padding-bottom:8px}
.banner+main .overall{margin-top:-60px}
.overall{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;border-radius:12px;padding:18px 20px;margin:20px 0 24px;color:#fff;box-shadow:0 1px 3px rgb(16 24 40/.12)}
.overall strong{font-size:1.15rem;flex:1 1 auto;overflow-wrap:normal}
.overall .when{font-size:.8rem;opacity:.9}
.overall.operational{background:var(--up)}.overall.degraded{background:var(--partial)}.overall.major{background:var(--down)}.overall.maintenance{background:var(--maint)}
.icon{flex:none}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;margin:0 0 24px;overflow:hidden}
.card>h2{font-size:1rem;margin:0;padding:14px 20px;border-bottom:1px solid var(--border);background:var(--soft)}
.pad{padding:16px 20px}
.svc{padding:16px 20px;border-top:1px solid var(--border)}
.card>h2+.svc,.card>.svc:first-child{border-top:0}
.head{display:flex;align-items:baseline;justify-content:space-between;gap:12px}
.name{font-weight:600}
.note{display:block;color:var(--muted);font-size:.85rem;margin-top:2px}
.state{white-space:nowrap;font-size:.85rem;font-weight:600;display:inline-flex;align-items:center;gap:6px}
.state::before{content:"";width:9px;height:9px;border-radius:50%;background:currentColor}
.state.up{color:var(--up)}.state.down{color:var(--down)}.state.maintenance{color:var(--maint)}.state.paused{color:var(--muted)}
svg.bars{display:block;width:100%;height:32px;margin-top:12px}
.bars rect{fill:var(--nodata)}.bars .ok{fill:var(--up)}.bars .minor{fill:var(--minor)}.bars .partial{fill:var(--partial)}.bars .major{fill:var(--down)}
.bars rect:hover{opacity:.7}
.legend{display:flex;justify-content:space-between;gap:8px;color:var(--muted);font-size:.75rem;margin-top:6px}
.legend .mid{flex:1;text-align:center;white-space:nowrap}
.chart{display:block;margin-top:14px}
svg.rt{display:block;width:100%;height:64px;border-bottom:1px solid var(--border)}
.rt .line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.rt .area{fill:var(--accent);opacity:.14}
.rt .hit{fill:transparent}.rt .hit:hover{fill:var(--accent);opacity:.12}
details.group>summary{list-style:none;cursor:pointer}
details.group>summary::-webkit-details-marker{display:none}
.group>summary .name::before{content:"▸";display:inline-block;width:1.1em;color:var(--muted);transition:transform .15s}
.group[open]>summary .name::before{transform:rotate(90deg)}
.children{margin:12px 0 0 10px;border-left:2px solid var(--border)}
.children .svc{padding:10px 0 10px 14px;border-top:0}
.children svg.bars{height:22px}
.item{padding:16px 20px;border-top:1px solid var(--border)}
.card>h2+.item{border-top:0}
.item h3{font-size:1rem;margin:0 0 4px}
.tag{display:inline-block;font-size:.75rem;font-weight:600;border-radius:999px;padding:1px 9px;margin-right:6px;color:#fff;background:var(--muted)}
.tag.major{background:var(--down)}.tag.degraded{background:var(--partial)}.tag.maintenance{background:var(--maint)}.tag.resolved{background:var(--up)}
.timeline{list-style:none;margin:10px 0 0;padding:0}
.timeline li{position:relative;padding:0 0 12px 18px;border-left:2px solid var(--border);margin-left:4px}
.timeline li:last-child{padding-bottom:0}
.timeline li::before{content:"";position:absolute;left:-6px;top:6px;width:10px;height:10px;border-radius:50%;background:var(--card);border:2px solid var(--accent)}
.muted,time{color:var(--muted);font-size:.85rem}
.text{margin:2px 0;white-space:pre-line}
.empty{color:var(--muted);margin:0}
form.row{display:flex;gap:8px;flex-wrap:wrap;margin-top:10px}
label{display:block;font-size:.85rem;font-weight:600;margin-bottom:4px}
input[type=email],input[type=password]{flex:1 1 220px;min-width:0;width:100%;padding:10px 12px;border:1px solid var(--border);border-radius:8px;background:var(--bg);color:var(--text);font:inherit}
form.row input{width:auto}
input:focus-visible,button:focus-visible,a:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
button{background:var(--accent);color:var(--on-accent);border:0;border-radius:8px;padding:10px 18px;font:inherit;font-weight:600;cursor:pointer}
.notice,.error{border-radius:8px;padding:10px 12px;margin:10px 0 0;font-size:.9rem}
.notice{background:rgb(31 157 85/.12);color:var(--text);border:1px solid rgb(31 157 85/.35)}
.error{background:rgb(217 45 32/.1);color:var(--text);border:1px solid rgb(217 45 32/.4)}
footer.wrap{display:flex;flex-wrap:wrap;gap:8px 20px;justify-content:space-between;color:var(--muted);font-size:.85rem;padding-top:8px;padding-bottom:40px}
footer nav{display:flex;flex-wrap:wrap;gap:4px 12px}
footer a[aria-current]{font-weight:700;text-decoration:none;color:var(--text)}
.narrow{max-width:420px;margin:12vh auto 40px}
.narrow h1{font-size:1.25rem;margin-bottom:6px}
.narrow form{margin-top:14px}
.narrow button{margin-top:12px;width:100%}
@media (max-width:520px){body{font-size:14px}.top{padding-top:20px}.overall{padding:14px 16px}.overall .when{flex-basis:100%;padding-left:42px}.svc,.item,.pad{padding-left:14px;padding-right:14px}.card>h2{padding-left:14px}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;
}
