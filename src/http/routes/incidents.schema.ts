import { Type } from 'typebox';
import { LANGUAGES } from '../../domain/localized.ts';
import { INCIDENT_TYPES, UPDATE_TYPES } from '../../domain/incidents.ts';
import { Message, Nullable, apiErrors } from '../schemas.ts';

/** `{en, fr, …}`: every language optional (also used by maintenance windows). */
export const LocalizedText = Type.Object(
  Object.fromEntries(LANGUAGES.map((l) => [l, Type.Optional(Type.String())])),
  { description: `Text by language (${LANGUAGES.join(', ')})` },
);
export const IdList = (description: string) => Type.Array(Type.String({ maxLength: 128 }), { description });
export const IsoDate = (description: string) => Type.String({ description: `${description} (ISO 8601 with a zone)` });

const UpdateType = Type.Enum([...UPDATE_TYPES]);

export const AddUpdateBody = Type.Object({
  text: LocalizedText,
  type: UpdateType,
  date: Type.Optional(Nullable(Type.String({ description: 'ISO 8601 with a zone; "" or absent means now' }))),
});

const writable = {
  title: LocalizedText,
  text: LocalizedText,
  type: Type.Enum([...INCIDENT_TYPES], { description: 'Default incident' }),
  affectedComponents: Nullable(IdList('Monitor uuids of this project')),
  statuspages: Nullable(IdList('Status page ids (sp_…)')),
  date: Nullable(IsoDate('When the incident began; default now')),
};

export const CreateIncidentBody = Type.Object({
  title: writable.title,
  text: Type.Optional(writable.text),
  type: Type.Optional(writable.type),
  affectedComponents: Type.Optional(writable.affectedComponents),
  statuspages: Type.Optional(writable.statuspages),
  date: Type.Optional(writable.date),
  updates: Type.Optional(Type.Array(AddUpdateBody, { description: 'Initial timeline' })),
});

export const UpdateIncidentBody = Type.Object({
  title: Type.Optional(writable.title),
  text: Type.Optional(writable.text),
  type: Type.Optional(writable.type),
  affectedComponents: Type.Optional(writable.affectedComponents),
  statuspages: Type.Optional(writable.statuspages),
  date: Type.Optional(writable.date),
});

const UpdateSchema = Type.Object({ uuid: Type.String(), date: Type.String(), text: LocalizedText, type: Type.String() });

const incidentProps = {
  uuid: Type.String(),
  date: Type.String(),
  title: LocalizedText,
  text: LocalizedText,
  type: Type.String(),
  affectedComponents: Type.Array(Type.String()),
  statuspages: Type.Array(Type.String()),
  updates: Type.Array(UpdateSchema, { description: 'Chronological, newest last' }),
};

export const IncidentSchema = Type.Object(incidentProps);
export const CreatedIncidentSchema = Type.Object({ message: Type.String(), ...incidentProps });

export const incidentErrors = { ...apiErrors, 404: Message, 422: Message };
