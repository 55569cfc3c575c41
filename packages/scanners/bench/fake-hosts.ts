// The validation bench's fake providers, in a process of their own (started by the bench with
// IPC): providers are other machines, so their CPU must not share the event loop whose time is
// measured. Sent `{ kind, keys, delayMs }[]`, it answers with each fake's base URL and origin,
// then `stats` with the most requests each had in flight at once and the CPU time this process has used, and closes them on `close`.
import {
  type FakeProvider,
  startFakeAnthropic,
  startFakeDashScope,
  startFakeGemini,
  startFakeOpenAI,
  startFakeOpenRouter,
} from '@ctd/test-utils';

type Kind = 'openai' | 'google' | 'anthropic' | 'qwen' | 'openrouter';
interface Spec {
  kind: Kind;
  keys: string[];
  delayMs: number;
}
const starters = {
  openai: startFakeOpenAI,
  google: startFakeGemini,
  anthropic: startFakeAnthropic,
  qwen: startFakeDashScope,
  openrouter: startFakeOpenRouter,
} as const;

const fakes: FakeProvider[] = [];
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
