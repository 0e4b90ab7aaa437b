#!/usr/bin/env node
// Renders media/certlens.png (the Marketplace icon, 128x128) from media/certlens.svg with Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = fs.readFileSync(path.join(root, 'media', 'certlens.svg'), 'utf8').replace('stroke="currentColor"', 'stroke="#ffffff"');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(
    `<html><body style="margin:0;background:transparent"><div style="width:128px;height:128px;border-radius:24px;background:linear-gradient(135deg,#0e7c66,#0a4d7a);display:flex;align-items:center;justify-content:center">${svg.replace('width="24" height="24"', 'width="96" height="96"')}</div></body></html>`,
  );
  await page.screenshot({ path: path.join(root, 'media', 'certlens.png'), omitBackground: true });
} finally {
  await browser.close();
}
