/**
 * POST /v1/mcp: JSON-RPC 2.0 over MCP "streamable HTTP" (protocol 2025-03-26), answered with
 * plain JSON, never SSE (api-contract §10). It sits behind the API-key hook, so a read-only key
 * gets 403 here like on any other POST.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiApp } from '../api-app.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { yieldToLoop, type ActorCtx } from '../../services/context.ts';
import { describeValidation } from '../errors.ts';
import { Message, apiErrors } from '../schemas.ts';
import { MAX_ANSWER, TOOLS, TOOLS_BY_NAME, tooLarge, type Tool, type ToolEnv } from './mcp.tools.ts';

export const PROTOCOL_VERSION = '2025-03-26';
const KNOWN_VERSIONS = new Set(['2024-11-05', '2025-03-26', '2025-06-18']);
/** A session unused this long is gone: the next request carrying its id gets 404. */
export const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 10_000;

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

type Id = string | number | null;
type RpcResponse =
  | { jsonrpc: '2.0'; id: Id; result: unknown }
  | { jsonrpc: '2.0'; id: Id; error: { code: number; message: string } };

const rpcError = (id: Id, code: number, message: string): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is Id =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || v === null;

/** Sessions in process memory, each bound to the API key that opened it; sliding idle expiry. */
function createSessions() {
  const sessions = new Map<string, { keyId: string | null; seen: number }>();
  const expired = (s: { seen: number }, now: number) => now - s.seen >= SESSION_IDLE_MS;
  return {
    open(keyId: string | null, now: number): string {
      if (sessions.size >= MAX_SESSIONS) {
        for (const [id, s] of sessions) if (expired(s, now)) sessions.delete(id);
        // Still full: drop the least recently used (the Map keeps use order, see touch).
        for (const id of sessions.keys()) {
          if (sessions.size < MAX_SESSIONS) break;
          sessions.delete(id);
        }
      }
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { keyId, seen: now });
      return id;
    },
    /** True when the session exists, is fresh and belongs to this key; refreshes it. */
    touch(id: string, keyId: string | null, now: number): boolean {
      const s = sessions.get(id);
      if (!s || s.keyId !== keyId) return false;
      sessions.delete(id);
      if (expired(s, now)) return false;
      sessions.set(id, { keyId, seen: now });
      return true;
    },
  };
}

// Keys a tool does not declare are dropped, not refused: what the hosted server does (an older SDK's
// metric calls with an extra key were answered, hyperping-go CHANGELOG 0.7.0), though its
// tools/list, like ours, says additionalProperties: false (zod's JSON schema of a stripping object).
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  strict: false,
  allErrors: false,
  removeAdditional: true,
});
const validators = new Map<string, ValidateFunction>(); // compiled on a tool's first call

/** The tool's arguments as valid input, or the sentence explaining why not. */
function checkArguments(t: Tool, args: unknown): string | null {
  if (!isObject(args)) return 'arguments must be an object';
  let validate = validators.get(t.name);
  if (!validate) validators.set(t.name, (validate = ajv.compile(t.inputSchema)));
  if (validate(args)) return null;
  return describeValidation(validate.errors as never, 'arguments');
}

const toolError = (message: string) => ({
  content: [{ type: 'text', text: `MCP error -32602: ${message}` }],
  isError: true,
});

/** Runs a tool: its payload as JSON text, or a domain refusal inside the result (as the hosted server does). */
async function callTool(ctx: ActorCtx, t: Tool, args: unknown, env: ToolEnv) {
  const problem = checkArguments(t, args);
  if (problem) return toolError(`Input validation error: ${problem}`);
  try {
    const payload = await t.call(ctx, args, env);
    const text = JSON.stringify(payload);
    // Tools that list stop reading at the bound (mcp.tools.ts); this catches every other answer.
    if (text.length > MAX_ANSWER)
      throw tooLarge('ask for less (fewer monitors, a shorter window, a coarser resolution)');
    return { content: [{ type: 'text', text }] };
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ValidationError || err instanceof ConflictError)
      return toolError(err.message);
    throw err; // -32603: the client may retry
  }
}

/** Messages in one JSON-RPC batch, and the size of its answer (JSON text), at most. */
export const MAX_BATCH = 20;
export const MAX_BATCH_ANSWER = MAX_ANSWER;

const toolList = TOOLS.map((t) => ({
  name: t.name,
  title: t.title,
  description: t.description,
  inputSchema: t.inputSchema,
}));

export default async function mcpRoutes(app: ApiApp, opts: ToolEnv) {
  const sessions = createSessions();

  // JSON-RPC reports its own parse errors, so this scope reads the body as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  /** One JSON-RPC message: a response, null for a notification, or an envelope error (HTTP 400). */
  async function handle(
    req: FastifyRequest,
    reply: FastifyReply,
    msg: unknown,
  ): Promise<{ body: RpcResponse; invalid?: boolean } | null> {
    if (!isObject(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string' || ('id' in msg && !isId(msg.id))) {
      return {
        body: rpcError(isObject(msg) && isId(msg.id) ? msg.id : null, -32600, 'Invalid Request'),
        invalid: true,
      };
    }
    if (!('id' in msg)) return null; // a notification (notifications/initialized, …): nothing to answer
    const id = msg.id as Id;
    const params = msg.params;
    if (params !== undefined && !isObject(params))
      return { body: rpcError(id, -32602, 'Invalid params: params must be an object') };
    const ctx = req.ctx;
    const ok = (result: unknown): { body: RpcResponse } => ({ body: { jsonrpc: '2.0', id, result } });
    try {
      switch (msg.method) {
        case 'initialize': {
          const asked = params?.protocolVersion;
          reply.header('Mcp-Session-Id', sessions.open(ctx.actor.keyId, ctx.clock()));
          return ok({
            protocolVersion: typeof asked === 'string' && KNOWN_VERSIONS.has(asked) ? asked : PROTOCOL_VERSION,
            capabilities: { tools: {} },
            serverInfo: { name: 'vigil', version },
          });
        }
        case 'ping':
          return ok({});
        case 'tools/list':
          return ok({ tools: toolList });
        case 'tools/call': {
          if (typeof params?.name !== 'string')
            return { body: rpcError(id, -32602, 'Invalid params: name must be a tool name') };
          const t = TOOLS_BY_NAME.get(params.name);
          if (!t) return { body: rpcError(id, -32601, `Unknown tool: ${params.name}`) };
          return ok(await callTool(ctx, t, 'arguments' in params ? params.arguments : {}, opts));
        }
        default: {
          // The form of the OpenAPI document: the method is the tool, params are its arguments.
          const t = TOOLS_BY_NAME.get(msg.method);
          if (!t) return { body: rpcError(id, -32601, `Method not found: ${msg.method}`) };
          return ok(await callTool(ctx, t, params ?? {}, opts));
        }
      }
    } catch (err) {
      req.log.error({ err, method: msg.method }, 'MCP request failed');
      return { body: rpcError(id, -32603, 'Internal error') };
    }
  }

  const RpcId = Type.Union([Type.String(), Type.Number(), Type.Null()]);
  // Exactly the envelope handle() checks (a message that breaks it is HTTP 400): what a message
  // asks for, and the messages of a batch, are answered inside the JSON-RPC response instead.
  const RpcMessage = Type.Object(
    {
      jsonrpc: Type.Literal('2.0'),
      method: Type.String({
        description: 'initialize, notifications/initialized, ping, tools/list, tools/call, or a tool name',
      }),
      id: Type.Optional(RpcId),
      params: Type.Optional(Type.Unknown({ description: 'An object; anything else is answered with error -32602' })),
    },
    { description: 'A request (with an id) or a notification (without)' },
  );
  const Body = Type.Union(
    [
      RpcMessage,
      Type.Array(Type.Unknown(), {
        minItems: 1,
        maxItems: MAX_BATCH,
        description: `A batch of up to ${MAX_BATCH} messages`,
      }),
    ],
    {
      description:
        'A JSON-RPC 2.0 request, notification or batch: initialize, notifications/initialized, tools/list, tools/call (or a tool name as the method)',
    },
  );
  const Rpc = Type.Object({ jsonrpc: Type.Literal('2.0'), id: RpcId }, { additionalProperties: true });

  app.post(
    '/v1/mcp',
    {
      // The body schema documents the envelope; the handler checks it on the text itself, so that a
      // bad message gets a JSON-RPC error (-32700, -32600) and not the API's 422.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['MCP'],
        summary:
          'MCP endpoint (JSON-RPC 2.0, JSON responses). initialize answers with an Mcp-Session-Id header; an unknown or expired session id is 404',
        body: Body,
        response: {
          200: Type.Unknown({ description: 'A JSON-RPC response (or an array of them for a batch)' }),
          202: Type.Null({ description: 'Accepted: the message held only notifications' }),
          // Its own parser answers bad JSON with a JSON-RPC error; a batch answer past the cap is one too.
          ...apiErrors,
          400: Rpc,
          404: Rpc,
          413: Type.Union([Message, Rpc]),
        },
      },
    },
    async (req, reply) => {
      const session = req.headers['mcp-session-id'];
      if (session !== undefined && !sessions.touch(String(session), req.ctx.actor.keyId, req.ctx.clock())) {
        return reply.code(404).send(rpcError(null, -32001, 'Session not found') as never);
      }
      let msg: unknown;
      try {
        msg = JSON.parse(typeof req.body === 'string' ? req.body : '');
      } catch {
        return reply.code(400).send(rpcError(null, -32700, 'Parse error') as never);
      }
      if (Array.isArray(msg)) {
        if (msg.length === 0) return reply.code(400).send(rpcError(null, -32600, 'Invalid Request') as never);
        if (msg.length > MAX_BATCH) {
          return reply
            .code(400)
            .send(
              rpcError(
                null,
                -32600,
                `Invalid Request: a batch holds at most ${MAX_BATCH} messages, this one ${msg.length}`,
              ) as never,
            );
        }
        // Each call counts against the key's quota as one REST request would (this request counted one).
        const calls = msg.filter((m) => isObject(m) && 'id' in m).length;
        if (!req.spend(calls - 1)) return reply;
        const out: RpcResponse[] = [];
        let size = 0;
        for (const [i, m] of msg.entries()) {
          if (i > 0) await yieldToLoop(); // 20 heavy calls one after another would hold the loop
          const r = await handle(req, reply, m);
          if (!r) continue;
          size += JSON.stringify(r.body).length;
          if (size > MAX_BATCH_ANSWER) {
            return reply
              .code(413)
              .send(
                rpcError(
                  null,
                  -32600,
                  `The batch's answer would pass ${MAX_BATCH_ANSWER / 1024 / 1024} MiB at message ${out.length + 1} (those before were carried out): send fewer calls per batch`,
                ) as never,
              );
          }
          out.push(r.body);
        }
        return out.length ? out : reply.code(202).send(undefined as never);
      }
      const r = await handle(req, reply, msg);
      if (!r) return reply.code(202).send(undefined as never);
      return r.invalid ? reply.code(400).send(r.body as never) : r.body;
    },
  );
}
