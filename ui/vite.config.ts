/// <reference types="vitest/config" />
// The UI lives in ui/; `npm run build` writes ui/dist, which src-tauri's frontendDist points at.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  plugins: [svelte({ configFile: fileURLToPath(new URL("./svelte.config.js", import.meta.url)) })],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2021", "chrome105", "safari15"],
  },
  // devUrl in src-tauri/tauri.conf.json
  server: { port: 5173, strictPort: true },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
