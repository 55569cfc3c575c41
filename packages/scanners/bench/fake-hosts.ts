// The validation bench's fake providers, in a process of their own (started by the bench with
// IPC): providers are other machines, so their CPU must not share the event loop whose time is
// measured. Sent `{ kind, keys, delayMs }[]`, it answers with each fake's base URL and origin,
// then `stats` with the most requests each had in flight at once and the CPU time this process
// has used, and closes them on `close`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  modelList,
  startFakeAnthropic,
  startFakeDashScope,
  startFakeGemini,
  startFakeOpenAI,
  startFakeOpenRouter,
} from '@ctd/test-utils';

type Kind = 'openai' | 'openai-lean' | 'google' | 'anthropic' | 'qwen' | 'openrouter';
interface Spec {
  kind: Kind;
  keys: string[];
  delayMs: number;
}

/** What the bench needs of a fake host. */
interface Host {
  readonly baseUrl: string;
  readonly origin: string;
  readonly stats: { readonly maxInFlight: number };
  close(): Promise<void>;
}

type Start = (options: { keys: Record<string, 'valid'>; delayMs: number }) => Promise<Host>;

/**
 * OpenAI's `GET /v1/models` and nothing else, answered after `delayMs` with the fake OpenAI's own
 * model list (200) or its 401 for an unknown key. For the 1,000-credential case: the full fake
 * provider records every request and builds every answer for tests to inspect, CPU that a real
 * provider spends on its own machines, not on the two cores the validator is measured on (here it
 * was a third of the validator's own CPU per batch, and it lands at the same moments: as each
 * round of answers goes out).
 */
const startLeanOpenAI: Start = async ({ keys, delayMs }) => {
  const valid = new Set(Object.keys(keys).map((k) => `Bearer ${k}`));
  const ok = Buffer.from(JSON.stringify(modelList('gpt-test-1', 'gpt-test-2')));
  const denied = Buffer.from(
    JSON.stringify({
      error: {
        message: 'Incorrect API key provided.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    }),
  );
  const stats = { inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    req.resume();
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const good = req.url === '/v1/models' && valid.has(req.headers.authorization ?? '');
    setTimeout(() => {
      stats.inFlight--;
      const body = good ? ok : denied;
      res.writeHead(good ? 200 : 401, {
        'content-type': 'application/json',
        'content-length': String(body.length),
      });
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const starters: Record<Kind, Start> = {
  openai: startFakeOpenAI,
  'openai-lean': startLeanOpenAI,
  google: startFakeGemini,
  anthropic: startFakeAnthropic,
  qwen: startFakeDashScope,
  openrouter: startFakeOpenRouter,
};

const fakes: Host[] = [];
const send = (m: unknown) => process.send?.(m);
process.on('message', async (m: { type: string; specs?: Spec[] }) => {
  if (m.type === 'start') {
    const out = [];
    for (const spec of m.specs ?? []) {
      const fake = await starters[spec.kind]({
        keys: Object.fromEntries(spec.keys.map((k) => [k, 'valid' as const])),
        delayMs: spec.delayMs,
      });
      fakes.push(fake);
      out.push({ baseUrl: fake.baseUrl, origin: fake.origin });
    }
    send({ type: 'started', fakes: out });
  } else if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      maxInFlight: fakes.map((f) => f.stats.maxInFlight),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  } else if (m.type === 'close') {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    send({ type: 'closed' });
    process.disconnect?.();
  }
});
// The bench is gone (it ended or crashed without `close`): so are we, open servers and all.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
