import type { LocalizedText } from '../../../domain/localized.ts';
import type { ResolvedService, StatusPageView } from '../../../services/statuspages.ts';
import { textOf } from '../../ui/format.ts';

/**
 * The status page editor's values: read from a page (its sections, groups and the names they
 * show) or from the posted form, and written back as the sections the API takes.
 */

/** A monitor service already on the page: the name visitors read (`value`) and its monitor's. */
export interface ShownName {
  uuid: string;
  monitor: string;
  value: string;
}
export interface GroupForm {
  name: string;
  monitors: string[];
  orig: number | null;
  shown: ShownName[];
}
export interface SectionForm {
  name: string;
  monitors: string[];
  rt: boolean;
  groups: GroupForm[];
  orig: number | null;
  shown: ShownName[];
}
export interface PageForm {
  name: string;
  subdomain: string;
  theme: string;
  accent_color: string;
  description: string;
  sections: SectionForm[];
}

/** A group not on the page yet: the last of each section's groups in the form. */
export const NEW_GROUP: GroupForm = { name: '', monitors: [], orig: null, shown: [] };

/** The form's values of a page: per section its monitors and its groups (each with its monitors). */
export function formOf(sp: StatusPageView): PageForm {
  const uuids = (list: ResolvedService[]) => list.filter((x) => !x.is_group && x.monitor).map((x) => x.monitor!.uuid);
  const shown = (list: ResolvedService[]) =>
    list
      .filter((x) => !x.is_group && x.monitor)
      .map((x) => ({ uuid: x.monitor!.uuid, monitor: x.monitor!.name, value: textOf(x.name ?? {}) }));
  return {
    name: sp.row.name,
    subdomain: sp.row.subdomain,
    theme: sp.settings.theme,
    accent_color: sp.settings.accent_color,
    description: textOf(sp.settings.description),
    sections: sp.resolved.map((s, i) => ({
      name: textOf(s.name),
      monitors: uuids(s.services),
      orig: i,
      shown: shown(s.services),
      rt:
        s.services.some((x) => !x.is_group) &&
        s.services.filter((x) => !x.is_group).every((x) => x.show_response_times),
      groups: s.services.flatMap((x, k) =>
        x.is_group ? [{ name: textOf(x.name), monitors: uuids(x.services), orig: k, shown: shown(x.services) }] : [],
      ),
    })),
  };
}

/** The sections of the form: the page's, then an empty one to add. */
export function sectionRows(v: PageForm): SectionForm[] {
  return [...v.sections, { name: '', monitors: [], rt: false, groups: [], orig: null, shown: [] }];
}

/** Every monitor picker of the form, by field name: one per section, and one per group (a new group's included). */
export function pickerFields(rows: SectionForm[]): [string, string[]][] {
  return rows.flatMap((s, i) => [
    [`section_monitors_${i}`, s.monitors] as [string, string[]],
    ...[...s.groups, NEW_GROUP].map((g, j) => [`group_monitors_${i}_${j}`, g.monitors] as [string, string[]]),
  ]);
}

/** The posted editor: its sections and groups in order, with the names shown of the services already on the page. */
export function readPageForm(f: URLSearchParams, sp: StatusPageView): PageForm {
  const get = (k: string) => f.get(k) ?? '';
  const v: PageForm = {
    name: get('name'),
    subdomain: get('subdomain').trim(),
    theme: get('theme'),
    accent_color: get('accent_color').trim(),
    description: get('description'),
    sections: [],
  };
  const monitorName = new Map(
    sp.resolved
      .flatMap((s) => s.services.flatMap((x) => [x, ...x.services]))
      .flatMap((x) => (x.monitor ? [[x.monitor.uuid, x.monitor.name] as const] : [])),
  );
  // section_shown_<i>_<uuid>, group_shown_<i>_<j>_<uuid>: names of services already on the page.
  const shownOf = (prefix: string): ShownName[] =>
    [...f.keys()]
      .filter((k) => k.startsWith(prefix) && monitorName.has(k.slice(prefix.length)))
      .map((k) => ({ uuid: k.slice(prefix.length), monitor: monitorName.get(k.slice(prefix.length))!, value: get(k) }));
  for (let i = 0; f.has(`section_name_${i}`); i++) {
    const groups: GroupForm[] = [];
    for (let j = 0; f.has(`group_name_${i}_${j}`); j++) {
      const g = {
        name: get(`group_name_${i}_${j}`),
        monitors: refsOf(f.getAll(`group_monitors_${i}_${j}`)),
        orig: indexOf(f.get(`group_orig_${i}_${j}`)),
        shown: shownOf(`group_shown_${i}_${j}_`),
      };
      if (g.orig !== null || g.name.trim() || g.monitors.length) groups.push(g);
    }
    const s: SectionForm = {
      name: get(`section_name_${i}`),
      monitors: refsOf(f.getAll(`section_monitors_${i}`)),
      rt: f.get(`section_rt_${i}`) === 'on',
      groups,
      orig: indexOf(f.get(`section_orig_${i}`)),
      shown: shownOf(`section_shown_${i}_`),
    };
    if (s.orig !== null || s.name.trim() || s.monitors.length || groups.length) v.sections.push(s);
  }
  return v;
}

/** Monitor ids of a field: one per checkbox, or (a typed list) the first word of each line. */
const refsOf = (values: string[]) => [
  ...new Set(
    values.flatMap((text) =>
      text
        .split(/\r?\n/)
        .map((l) => l.trim().split(/[\s#]/)[0])
        .filter(Boolean),
    ),
  ),
];
const indexOf = (v: string | null) => (v && /^\d{1,3}$/.test(v) ? Number(v) : null);
/**
 * The name a service shows after the form: the stored texts with the form's text in place of
 * the one it showed (textOf's language); untouched, the stored names; empty, its monitor's name.
 */
function shownName(old: LocalizedText | null, value: string | undefined, lang: string): LocalizedText | null {
  if (value === undefined || (old && value === textOf(old))) return old;
  if (value.trim() === '') return null;
  const texts = (old ?? {}) as Record<string, string>;
  const key = texts.en?.trim() ? 'en' : (Object.keys(texts).find((k) => texts[k]?.trim()) ?? lang);
  return { ...texts, [key]: value } as LocalizedText;
}

/** What a monitor service already on the page keeps when saved again (description, uptime bar) and its shown name. */
function keepOf(old: ResolvedService | undefined, nested: boolean, shown: ShownName[] | undefined, lang: string) {
  if (!old) return {};
  const name = shownName(old.name, shown?.find((x) => x.uuid === old.monitor?.uuid)?.value, lang);
  return {
    ...(name ? { [nested ? 'name' : 'name_shown']: name } : {}),
    description: old.description,
    show_uptime: old.show_uptime,
  };
}
/**
 * The sections written back: services keep their order on the page (unchecked monitors and
 * emptied groups drop out), newly checked monitors follow, then a new group.
 */
export function sectionsInput(sp: StatusPageView, sections: SectionForm[]): unknown[] {
  const before = new Map(
    sp.resolved
      .flatMap((s) => s.services.flatMap((x) => [x, ...x.services]))
      .filter((x) => x.monitor)
      .map((x) => [x.monitor!.uuid, x]),
  );
  const lang = sp.settings.default_language;
  // Healthchecks on the page (placed through the API) are not in the form: they stay where they are.
  const healthcheck = (x: ResolvedService, nested: boolean) => ({
    [nested ? 'uuid' : 'monitor_uuid']: x.healthcheck!.publicUuid,
    [nested ? 'name' : 'name_shown']: x.name,
    description: x.description,
    show_uptime: x.show_uptime,
  });
  const group = (g: GroupForm, old?: ResolvedService) => ({
    is_group: true,
    name_shown: g.name,
    ...(old
      ? { description: old.description, show_uptime: old.show_uptime, show_response_times: old.show_response_times }
      : {}),
    services: [
      ...g.monitors.map((ref) => ({
        uuid: ref,
        ...keepOf(old?.services.find((c) => c.monitor?.uuid === ref) ?? before.get(ref), true, g.shown, lang),
      })),
      ...(old?.services.filter((c) => c.healthcheck).map((c) => healthcheck(c, true)) ?? []),
    ],
  });
  const kept = (g: GroupForm) => g.name.trim() !== '' || g.monitors.length > 0;
  return sections.flatMap((s) => {
    const orig = s.orig === null ? undefined : sp.resolved[s.orig];
    const services: unknown[] = [];
    const placed = new Set<string>();
    orig?.services.forEach((x, k) => {
      if (x.is_group) {
        const g = s.groups.find((y) => y.orig === k);
        if (g && kept(g)) services.push(group(g, x));
      } else if (x.healthcheck) {
        services.push(healthcheck(x, false));
      } else if (x.monitor && s.monitors.includes(x.monitor.uuid) && !placed.has(x.monitor.uuid)) {
        placed.add(x.monitor.uuid);
        services.push({ monitor_uuid: x.monitor.uuid, show_response_times: s.rt, ...keepOf(x, false, s.shown, lang) });
      }
    });
    for (const ref of s.monitors)
      if (!placed.has(ref))
        services.push({
          monitor_uuid: ref,
          show_response_times: s.rt,
          ...keepOf(before.get(ref), false, s.shown, lang),
        });
    for (const g of s.groups) if (g.orig === null && kept(g)) services.push(group(g));
    return s.name.trim() || services.length ? [{ name: s.name, services }] : [];
  });
}
