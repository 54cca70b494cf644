import { createRequire } from 'node:module';
import { defineConfig, version as viteVersion, type PluginOption } from 'vite';
import react from '@vitejs/plugin-react';

const apiOrigin = 'http://localhost:3000';

/**
 * The workspace hoists Vite 8 (wanted by vitest) next to @vitejs/plugin-react, while this app builds
 * with its own Vite 7. The plugin then takes Vite 8's native Fast Refresh path, which the Vite 7 dev
 * server cannot run. When the two disagree, leave that wrapper out: the app still compiles (esbuild
 * reads `jsx: react-jsx`), edits just reload the page. Once one Vite is pinned this is a no-op.
 */
function reactPlugins(): PluginOption[] {
  const require = createRequire(import.meta.url);
  const requireFromPlugin = createRequire(require.resolve('@vitejs/plugin-react'));
  const pluginVite = requireFromPlugin('vite/package.json') as { version: string };
  const plugins = react() as unknown as Array<{ name: string }>;
  const major = (version: string) => version.split('.')[0];
  const kept = major(pluginVite.version) === major(viteVersion) ? plugins : plugins.filter((plugin) => plugin.name !== 'vite:react:refresh-wrapper');
  return kept as unknown as PluginOption[];
}

export default defineConfig({
  plugins: reactPlugins(),
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': {
        target: apiOrigin,
        ws: false,
        // Host stays localhost:5173 so the API's same-origin check sees the page's own origin.
        changeOrigin: false,
        configure(proxy) {
          // The live stream must reach the browser event by event: ask for an uncompressed body,
          // since a compressing hop would hold events back until its buffer fills.
          proxy.on('proxyReq', (proxyReq, req) => {
            if (req.url?.startsWith('/api/events')) proxyReq.setHeader('accept-encoding', 'identity');
          });
          proxy.on('proxyRes', (proxyRes) => {
            if (proxyRes.headers['content-type']?.startsWith('text/event-stream')) {
              proxyRes.headers['cache-control'] = 'no-cache, no-transform';
              proxyRes.headers['x-accel-buffering'] = 'no';
            }
          });
        },
      },
    },
  },
  preview: { port: 4173, proxy: { '/api': { target: apiOrigin, ws: false } } },
  build: { outDir: 'dist', sourcemap: false, target: 'es2022' },
});
