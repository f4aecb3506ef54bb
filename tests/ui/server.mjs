// A tiny static server for the built UI (ui/dist) with the mock backend injected first, plus
// generated PNGs standing in for the store's screenshots and thumbnails (/__asset__/...).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const dist = path.join(root, "ui/dist");
const mocksJs = path.join(root, "node_modules/@tauri-apps/api/mocks.js");

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".ico": "image/x-icon" };

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A PNG of a "viewport": a tinted background per student, a bar that moves with the frame number. */
export function png(width, height, seed, frame) {
  const hue = seed % 360;
  const [r, g, b] = hsl(hue, 0.45, 0.62);
  const [r2, g2, b2] = hsl((hue + 180) % 360, 0.7, 0.35);
  const barX = Math.floor(((frame * 37) % 100) / 100 * (width - width / 8));
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const onBar = x >= barX && x < barX + width / 8 && y > height / 4 && y < (height * 3) / 4;
      const grid = x % Math.max(8, width / 16 | 0) === 0 || y % Math.max(8, height / 10 | 0) === 0;
      const o = 1 + x * 3;
      if (onBar) [row[o], row[o + 1], row[o + 2]] = [r2, g2, b2];
      else if (grid) [row[o], row[o + 1], row[o + 2]] = [r - 30, g - 30, b - 30].map((v) => Math.max(0, v));
      else [row[o], row[o + 1], row[o + 2]] = [r, g, b];
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows), { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function hsl(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function hash(s) {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

const cache = new Map();
function asset(p) {
  if (cache.has(p)) return cache.get(p);
  const parts = p.split("/");
  // The student folder is the last "<login>-<n>" (a class folder such as class-1 comes before it).
  const student = parts.findLast((x) => /-\d+$/.test(x)) ?? p;
  const frame = Number((p.match(/(\d+)\.png$/) ?? [0, 0])[1]);
  const thumb = p.includes("/thumbs/");
  const buf = thumb ? png(256, 160, hash(student), frame) : png(960, 600, hash(student), frame);
  cache.set(p, buf);
  return buf;
}

/** harness.ts as the browser runs it: types stripped (`npm run check` checks them), and the
 * mocks module imported from where this server serves it. */
function harnessJs() {
  const source = fs.readFileSync(path.join(here, "harness.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    fileName: "harness.ts",
  });
  const js = outputText.replace('from "@tauri-apps/api/mocks"', 'from "/__mock__/mocks.js"');
  if (js === outputText) throw new Error("harness.ts no longer imports @tauri-apps/api/mocks");
  return js;
}

export function startServer() {
  const harness = harnessJs();
  const index = fs.readFileSync(path.join(dist, "index.html"), "utf8").replace(
    "<head>",
    '<head>\n    <script type="module" src="/__mock__/harness.js"></script>',
  );
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const p = decodeURIComponent(url.pathname);
    const send = (code, type, body) => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (p === "/" || p === "/index.html") return send(200, "text/html", index);
    if (p === "/__mock__/mocks.js") return send(200, "text/javascript", fs.readFileSync(mocksJs));
    if (p === "/__mock__/harness.js") return send(200, "text/javascript", harness);
    if (p.startsWith("/__asset__/")) return send(200, "image/png", asset(p.slice("/__asset__".length)));
    const file = path.join(dist, path.normalize(p));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return send(404, "text/plain", "not found");
    return send(200, types[path.extname(file)] ?? "application/octet-stream", fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}
