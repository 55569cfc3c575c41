// An esbuild plugin for the plugin's bundle: `import('undici')` (the provider checks, in
// @ctd/scanners' validate/proxy.ts, which use its Agent and ProxyAgent and nothing else) gets a
// module with those two classes only. undici's index also loads fetch, WebSocket, EventSource,
// its caches, mocks and interceptors: 110 modules and 5.8 MB of heap, against a third of that for
// the two dispatchers and the request API they use. Importing anything else from `undici` fails the
// build (the module has no such export), so a new use cannot go unnoticed.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'ctd-undici-lite';

/** The esbuild plugin (see the top of this file). */
export const undiciLite: Plugin = {
  name: NAMESPACE,
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => ({
      path: join(dirname(createRequire(args.importer).resolve('undici/package.json')), 'lite.js'),
      namespace: NAMESPACE,
    }));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      // As undici's index does: the request API (`connect` among it, which ProxyAgent's tunnels use)
      // on every dispatcher.
      contents: [
        "import Dispatcher from './lib/dispatcher/dispatcher.js';",
        "import api from './lib/api/index.js';",
        'Object.assign(Dispatcher.prototype, api);',
        "export { default as Agent } from './lib/dispatcher/agent.js';",
        "export { default as ProxyAgent } from './lib/dispatcher/proxy-agent.js';",
      ].join('\n'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
