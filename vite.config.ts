import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // Two pages: the learner's playground and the instructor's workshop dashboard.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('web/index.html', import.meta.url)),
        instructor: fileURLToPath(new URL('web/instructor.html', import.meta.url)),
        // The pop-out window of an instructor's broadcast (web/src/session/broadcast.ts).
        broadcast: fileURLToPath(new URL('web/broadcast.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
