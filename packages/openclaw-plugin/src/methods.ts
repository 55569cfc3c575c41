import type { TokenDiscoveryService } from '@ctd/service';
import { toGatewayError } from './errors.ts';
import type { PluginApi } from './host-types.ts';

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

/**
 * Registers `tokenDiscovery.*` on the gateway. Each method validates its params (zod, in the
 * service) and answers with the service's secret-free result, or a structured error.
 */
export function registerGatewayMethods(api: PluginApi, service: () => TokenDiscoveryService): void {
  for (const { method, operation, scope } of GATEWAY_METHODS) {
    api.registerGatewayMethod(
      method,
      async ({ params, respond }) => {
        const token = operation === 'importManual' && typeof params?.token === 'string' ? [params.token] : [];
        try {
          respond(true, await service()[operation](params ?? {}));
        } catch (error) {
          respond(false, undefined, toGatewayError(error, token));
        }
      },
      { scope },
    );
  }
}
