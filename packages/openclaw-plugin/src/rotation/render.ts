import type { RotationProviderStatus } from '@ctd/service';

const pct = (share: number) => `${Math.round(share * 100)}%`;

/**
 * The rotation part of `openclaw token-discovery status`, as text lines: per provider the strategy,
 * the order, each profile's requests, share and health, and why the last pick was made. The caller
 * escapes control characters (profile ids come from the gateway's store).
 */
export function renderRotation(rotation: readonly RotationProviderStatus[] | undefined): string[] {
  if (!rotation || rotation.length === 0) return [];
  const lines: string[] = [];
  for (const p of rotation) {
    lines.push(`Rotation of ${p.provider}: ${p.strategy}; order ${p.order.join(', ') || '(none)'}`);
    for (const r of p.profiles) {
      const failures = Object.entries(r.failuresByKind)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      const health =
        r.health === 'cooling'
          ? `cooling down${r.cooldownReason ? ` (${r.cooldownReason})` : ''} until ${r.cooldownUntil}`
          : r.health === 'failing'
            ? `failing (${r.consecutiveFailures} in a row)`
            : 'ok';
      lines.push(
        `  ${r.profileId.padEnd(36)} ${String(r.requests).padStart(5)} requests ${pct(r.share).padStart(4)}  ${health}${failures ? `; failures: ${failures}` : ''}${r.imported ? '' : ' (not imported)'}`,
      );
    }
    lines.push(
      p.lastPick
        ? `  last pick: ${p.lastPick.profileId || '(none)'} for ${p.lastPick.target === 'session' ? "a session's next turn" : 'new sessions'}: ${p.lastPick.reason}`
        : '  last pick: none yet',
    );
  }
  return lines;
}
