import { Type } from 'typebox';
import { INCIDENT_TYPES, MAX_INITIAL_UPDATES, UPDATE_TYPES } from '../../domain/incidents.ts';
import { NAME_MAX, TEXT_MAX } from '../../domain/limits.ts';
import { IdList, IsoDate, LocalizedText, Message, Nullable, apiErrors } from '../schemas.ts';

export const Title = LocalizedText(NAME_MAX);
export const Text = LocalizedText(TEXT_MAX);

const UpdateType = Type.Enum([...UPDATE_TYPES]);

export const AddUpdateBody = Type.Object({
  text: Text,
  type: UpdateType,
  date: Type.Optional(Nullable(IsoDate('"" or absent means now'))),
});

const writable = {
  title: Title,
  text: Text,
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
  updates: Type.Optional(Type.Array(AddUpdateBody, { maxItems: MAX_INITIAL_UPDATES, description: 'Initial timeline' })),
});

export const UpdateIncidentBody = Type.Object({
  title: Type.Optional(writable.title),
  text: Type.Optional(writable.text),
  type: Type.Optional(writable.type),
  affectedComponents: Type.Optional(writable.affectedComponents),
  statuspages: Type.Optional(writable.statuspages),
  date: Type.Optional(writable.date),
});

const UpdateSchema = Type.Object({ uuid: Type.String(), date: Type.String(), text: Text, type: Type.String() });

const incidentProps = {
  uuid: Type.String(),
  date: Type.String(),
  title: Title,
  text: Text,
  type: Type.String(),
  affectedComponents: Type.Array(Type.String()),
  statuspages: Type.Array(Type.String()),
  updates: Type.Array(UpdateSchema, { description: 'Chronological, newest last' }),
};

export const IncidentSchema = Type.Object(incidentProps);
export const CreatedIncidentSchema = Type.Object({ message: Type.String(), ...incidentProps });

export const incidentErrors = { ...apiErrors, 404: Message, 422: Message };
