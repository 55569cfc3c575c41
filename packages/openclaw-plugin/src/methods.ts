import type { TokenDiscoveryService } from '@ctd/service';
import { toGatewayError } from './errors.ts';
import type { GatewayMethodContext, PluginApi } from './host-types.ts';

type Operation = 'scan' | 'status' | 'getHistory' | 'clearHistory' | 'refreshToken' | 'importManual';

/** The six gateway methods, their service operation and scope. */
export const GATEWAY_METHODS: readonly {
  method: string;
  operation: Operation;
  scope: 'operator.read' | 'operator.write';
}[] = [
  { method: 'tokenDiscovery.scan', operation: 'scan', scope: 'operator.write' },
  { method: 'tokenDiscovery.status', operation: 'status', scope: 'operator.read' },
  { method: 'tokenDiscovery.getHistory', operation: 'getHistory', scope: 'operator.read' },
  { method: 'tokenDiscovery.clearHistory', operation: 'clearHistory', scope: 'operator.write' },
  { method: 'tokenDiscovery.refreshToken', operation: 'refreshToken', scope: 'operator.read' },
  { method: 'tokenDiscovery.importManual', operation: 'importManual', scope: 'operator.write' },
];

/** The refreshToken methods that start a login on the gateway host. */
const RUNS_A_LOGIN = new Set(['browser-login', 'cli-login']);

/** Whether the caller holds operator.write (or admin); an internal call (no client) may. */
function canWrite(client: GatewayMethodContext['client']): boolean {
  const scopes = client?.connect?.scopes;
  if (client === null || scopes === undefined) return true;
  return scopes.includes('operator.write') || scopes.includes('operator.admin');
}

/**
 * Registers `tokenDiscovery.*` on the gateway. Each method validates its params (zod, in the
 * service) and answers with the service's secret-free result, or a structured error. `service`
 * may load the service on first use (the entry does: see index.ts).
 */
export function registerGatewayMethods(
  api: PluginApi,
  service: () => TokenDiscoveryService | Promise<TokenDiscoveryService>,
): void {
  for (const { method, operation, scope } of GATEWAY_METHODS) {
    api.registerGatewayMethod(
      method,
      async ({ params, respond, client }) => {
        const token = operation === 'importManual' && typeof params?.token === 'string' ? [params.token] : [];
        // Listing the methods is a read; running a login method starts the CLI's login on the
        // gateway host and changes credentials: it needs operator.write.
        if (operation === 'refreshToken' && RUNS_A_LOGIN.has(String(params?.method)) && !canWrite(client)) {
          respond(false, undefined, {
            code: 'FORBIDDEN',
            message: `missing scope: operator.write (refreshToken with method "${String(params?.method)}" runs a login)`,
          });
          return;
        }
        try {
          respond(true, await (await service())[operation](params ?? {}));
        } catch (error) {
          respond(false, undefined, toGatewayError(error, token));
        }
      },
      { scope },
    );
  }
}
