// play.cjs opens one page in headless Chromium (Debian's, driven by
// playwright-core) and prints, as one JSON line, what the player did: the
// page's state and status text, the video's progress, and every response
// with the request it was redirected from. Called by browser_test.go:
//
//   node play.cjs '{"url":..., "chromium":..., "userDataDir":..., "expect":"playing"|"error", "screenshot":...,
//                   "cookies":[{"name":..., "value":..., "url":...}] (optional, set before the page opens)}'
//
// It waits at most stateMs for document.body.dataset.state to become
// "playing" or "error", then (when playing) at most playMs for currentTime
// past 1 s with decoded frames.
'use strict';
const path = require('path');

const cfg = JSON.parse(process.argv[2]);
const { chromium } = require(path.join(process.env.E2E_NODE_MODULES, 'playwright-core'));

async function main() {
  const out = { responses: [], failed: [], console: [], pageErrors: [] };
  const started = Date.now();
  const ctx = await chromium.launchPersistentContext(cfg.userDataDir, {
    executablePath: cfg.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 800, height: 600 },
    timeout: 30000,
  });
  out.launchMs = Date.now() - started;
  if (cfg.cookies && cfg.cookies.length) {
    await ctx.addCookies(cfg.cookies); // e.g. a signed-in viewer's nf_jwt
  }
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.on('response', (r) => {
      const from = r.request().redirectedFrom();
      out.responses.push({ url: r.url(), status: r.status(), type: r.request().resourceType(), from: from ? from.url() : '' });
    });
    page.on('requestfailed', (r) => out.failed.push({ url: r.url(), error: (r.failure() || {}).errorText || '' }));
    page.on('console', (m) => out.console.push(m.type() + ': ' + m.text()));
    page.on('pageerror', (e) => out.pageErrors.push(String(e)));

    const t0 = Date.now();
    await page.goto(cfg.url, { waitUntil: 'load', timeout: 15000 });
    try {
      await page.waitForFunction(() => ['playing', 'error'].includes(document.body.dataset.state), null, { timeout: cfg.stateMs || 20000 });
    } catch (e) {
      out.waitError = 'no playing or error state within ' + (cfg.stateMs || 20000) + ' ms';
    }
    out.stateMs = Date.now() - t0;
    if (cfg.expect === 'playing') {
      try {
        await page.waitForFunction(() => {
          const v = document.querySelector('video');
          return v && v.currentTime > 1 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
        }, null, { timeout: cfg.playMs || 20000 });
      } catch (e) {
        out.waitError = 'video did not pass 1 s with decoded frames within ' + (cfg.playMs || 20000) + ' ms';
      }
      out.playMs = Date.now() - t0;
    }
    Object.assign(out, await page.evaluate(() => {
      const v = document.querySelector('video');
      const status = document.querySelector('#status');
      const video = v ? {
        currentTime: v.currentTime,
        totalVideoFrames: v.getVideoPlaybackQuality().totalVideoFrames,
        droppedVideoFrames: v.getVideoPlaybackQuality().droppedVideoFrames,
        videoWidth: v.videoWidth,
        videoHeight: v.videoHeight,
        paused: v.paused,
        poster: v.poster,
        error: v.error ? v.error.code : 0,
      } : null;
      return {
        state: document.body.dataset.state || '',
        status: status ? status.textContent.trim() : null,
        statusVisible: status ? status.offsetParent !== null || getComputedStyle(status).display !== 'none' : false,
        video,
        hlsVersion: window.Hls ? window.Hls.version : '',
      };
    }));
    if (cfg.screenshot) {
      await page.screenshot({ path: cfg.screenshot, timeout: 10000 });
    }
  } finally {
    await ctx.close();
  }
  out.totalMs = Date.now() - started;
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write('play.cjs: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
