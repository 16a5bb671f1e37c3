import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { runScenarios } from '../scenarios/index.js';
import { buildDashboard } from '../scripts/build-dashboard.mjs';
import { artifactsDir, launchChromium, type Browser } from './support/browser.js';
import { peerAvailable, skipReason } from './support/peers.js';
import { guideAgent } from './support/world.js';

/**
 * The dashboard and the API docs in a real browser (Debian's chromium, driven by playwright-core):
 * a connection goes Running/online in the page without a reload, a handed-off call's ladder has
 * its arrows in the right columns, a fault rule is added and removed from the page, /docs shows
 * a schema and an example. Screenshots of each view land in test-artifacts/dashboard/;
 * OMNISIP_UPDATE_SCREENSHOTS=1 also refreshes the README's docs/dashboard-ladder.png.
 */
const hasChromium = peerAvailable('chromium');
const key = 'dashboard-browser';
const password = 'pw-dashboard-101';

describe.skipIf(!hasChromium)(hasChromium ? 'the dashboard, in Chromium' : `the dashboard (skipped: ${skipReason('chromium')})`, () => {
  let emulator: RunningEmulator;
  let browser: Browser;
  let page: Page;
  const loaded: Array<{ url: string; bytes: number }> = [];
  /** Anything the pages asked of a host other than the emulator: nothing, since they work offline. */
  const outside: string[] = [];
  let callId: string;
  let connectionId: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const shot = (name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });
  const callState = (id: string, state: string) => emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.callId === id && e.state === state, 15_000, `call ${id} ${state}`);

  beforeAll(async () => {
    await buildDashboard();
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 200, logLevel: 'silent', validateResponses: true });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1') outside.push(request.url());
    });
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith('/_emulator') || url.pathname.startsWith('/public')) return;
      loaded.push({ url: url.pathname, bytes: (await response.body().catch(() => Buffer.alloc(0))).length });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
  });

  it('loads in under 200 KB and shows a new connection go Running/online without a reload', async () => {
    await page.goto(`${emulator.url}/`);
    await page.getByRole('status', { name: 'Event stream' }).getByText('live').waitFor();
    const firstLoad = loaded.reduce((sum, r) => sum + r.bytes, 0);
    console.log(`dashboard first load: ${loaded.map((r) => `${r.url} ${(r.bytes / 1024).toFixed(1)} KiB`).join(', ')}; total ${(firstLoad / 1024).toFixed(1)} KiB`);
    expect(firstLoad).toBeLessThan(200 * 1024);
    expect(loaded.map((r) => r.url).sort()).toEqual(['/', '/dashboard/app.css', '/dashboard/app.js']);

    const agent = await api('POST', '/public/agents', { ...guideAgent, providerSettings: { turnDetection: { threshold: 0.5, silence_duration_ms: 400 } } });
    await api('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', { agentId: agent.body.id, name: 'Browser line', settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password, transport: 'UDP' } });
    connectionId = conn.body.id;
    const status = page.locator(`tr[data-connection="${connectionId}"] [data-status]`);
    await status.and(page.locator('[data-status="Running/online"]')).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    await shot('overview');
  });

  it("opens a handed-off call's ladder with INVITE, 200, REFER, 202, NOTIFY and BYE in the right columns", async () => {
    await emulator.control.createSoftphone({ username: '200', password: 'human', autoAnswer: { status: 200 } });
    const call = await emulator.control.createCall({ from: 'caller', to: '101' });
    callId = call.id;
    await callState(callId, 'active');
    const ended = callState(callId, 'ended');
    await emulator.control.sendCallDtmf(callId, { digits: '0' });
    await ended;

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Calls' }).click();
    await page.locator(`tr[data-call="${callId}"]`).getByText(/succeeded \(200\)/).waitFor();
    await shot('calls');
    await page.locator(`tr[data-call="${callId}"] a[href="/calls/${callId}"]`).click();
    expect(new URL(page.url()).pathname).toBe(`/calls/${callId}`);
    await page.locator('.arrow[data-label="BYE"]').first().waitFor();
    // The transfer leg (caller → 200) arrives with the calls list: wait for its INVITE to the softphone.
    await page.locator('.arrow[data-label="INVITE"][data-to="softphone:200"]').waitFor();

    const parties = await page.locator('.col-head').evaluateAll((heads) => heads.map((h) => h.getAttribute('data-party')));
    expect(parties).toEqual(['softphone:caller', 'pbx', `listener:${connectionId}`, 'softphone:200']);
    const arrows = await page.locator('.arrow').evaluateAll((all) => all.map((a) => `${a.getAttribute('data-label')}: ${a.getAttribute('data-from')} → ${a.getAttribute('data-to')}`));
    const listener = `listener:${connectionId}`;
    for (const expected of [
      'INVITE: softphone:caller → pbx', `INVITE: pbx → ${listener}`,
      `200 OK: ${listener} → pbx`, '200 OK: pbx → softphone:caller',
      `REFER: ${listener} → pbx`, 'REFER: pbx → softphone:caller',
      '202 Accepted: softphone:caller → pbx', `202 Accepted: pbx → ${listener}`,
      'NOTIFY: softphone:caller → pbx', `NOTIFY: pbx → ${listener}`,
      `BYE: ${listener} → pbx`, 'BYE: pbx → softphone:caller',
      'INVITE: softphone:caller → pbx', 'INVITE: pbx → softphone:200',
    ]) expect(arrows, expected).toContain(expected);
    // The agent's turns and the DTMF are on the same time line.
    await expect(page.locator('.row.event.dtmf').first().textContent()).resolves.toContain('DTMF 0');
    await expect(page.locator('.row.event.agent').first().textContent()).resolves.toContain('says greeting');

    await page.locator('.arrow[data-label="INVITE"]').first().click();
    const raw = page.getByRole('complementary', { name: 'Raw message' });
    await expect(raw.locator('pre').textContent()).resolves.toMatch(/^INVITE sip:101@/);
    await shot('ladder');
    // The whole ladder, from the INVITE to the BYE after the transfer: the README's picture.
    await page.locator('.ladder-layout').screenshot({ path: join(artifactsDir, 'ladder-full.png') });
    if (process.env.OMNISIP_UPDATE_SCREENSHOTS === '1') await copyFile(join(artifactsDir, 'ladder-full.png'), join(process.cwd(), 'docs', 'dashboard-ladder.png'));
    expect(await page.content()).not.toContain(password);
  });

  it("shows the PBX's accounts with every column inside its card: a long contact wraps", async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Overview' }).click();
    const pbx = page.getByRole('table', { name: 'PBX accounts and registrations' });
    await pbx.getByText(/^sip:101@127\.0\.0\.1/).waitFor();
    const fit = await pbx.evaluate((table) => ({ table: table.scrollWidth, card: table.parentElement!.clientWidth }));
    expect(fit.table, 'the table is no wider than its scroll box, so Transport and Expires show').toBeLessThanOrEqual(fit.card);
    await page.goto(`${emulator.url}/calls/${callId}`);
    await page.locator('.arrow[data-label="BYE"]').first().waitFor();
  });

  it('plays the recording in the page and links the pcap', async () => {
    await page.getByRole('button', { name: 'Play the recording' }).click();
    const audio = page.getByRole('group', { name: "What the emulator's softphone heard" }).or(page.locator('audio'));
    await audio.first().waitFor({ state: 'attached' });
    const duration = await page.locator('audio').evaluate((el: any) => new Promise<number>((resolve) => (el.readyState >= 1 ? resolve(el.duration) : el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true }))));
    expect(duration).toBeGreaterThan(0.5);
    const pcap = await page.getByRole('link', { name: 'Download the pcap' }).getAttribute('href');
    expect((await fetch(`${emulator.url}${pcap}`)).status).toBe(200);
  });

  it('adds a fault rule from the form and removes it', async () => {
    await page.goto(`${emulator.url}/`);
    const form = page.getByRole('form', { name: 'Add a fault rule' });
    await form.getByLabel('Operation').selectOption('listAgents');
    await form.locator('input[name="status"]').fill('503');
    await form.locator('input[name="times"]').fill('2');
    const added = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'api' && e.method === 'POST' && e.path === '/_emulator/faults', 5000, 'the form to add a rule');
    await form.getByRole('button', { name: 'Add rule' }).click();
    expect((await added as Extract<JournalEntry, { kind: 'api' }>).response.status).toBe(201);
    const rule = emulator.control.listFaults().items[0]!;
    expect(emulator.control.listFaults().items[0]).toMatchObject({ match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 503 }, times: 2 });
    const row = page.locator(`tr[data-fault="${rule.id}"]`);
    await row.waitFor();
    await shot('faults');
    await row.getByRole('button', { name: `Remove fault rule ${rule.id}` }).click();
    await row.waitFor({ state: 'detached' });
    expect(emulator.control.listFaults().items).toEqual([]);
  });

  it('shows the journal with a request body and its response in a side pane, filtered by URL', async () => {
    await page.goto(`${emulator.url}/journal?connectionId=${connectionId}`);
    await page.locator('tr[data-kind="connection.status"]').first().waitFor();
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('api');
    await page.goto(`${emulator.url}/journal?kind=api`);
    await page.getByRole('button', { name: /^POST \/public\/sip-connections → 200/ }).click();
    const details = page.getByRole('complementary', { name: 'Entry details' });
    await expect(details.textContent()).resolves.toContain('Browser line');
    await expect(details.textContent()).resolves.toMatch(/\[secret \d+\]/);
    expect(await page.content()).not.toContain(password);
    await shot('journal');
  });

  it('has a Scenarios view: no run yet, then the runs reported by a runner, a failing step linked to its ladder', async () => {
    await page.goto(`${emulator.url}/scenarios`);
    await page.getByText('No scenario runs yet.').waitFor();
    // The page's placeholder is gone once the app has rendered.
    expect(await page.getByText('Loading the omnisip dashboard').count()).toBe(0);
    const results = await runScenarios(['test/fixtures/scenarios/failing/missing-refer.yaml'], { baseUrl: emulator.url });
    expect(results[0]!.status).toBe('failed');
    await page.goto(`${emulator.url}/scenarios`);
    const run = page.getByRole('listitem').filter({ hasText: 'a handoff expected without asking for one' }).first();
    await run.getByText('failed', { exact: true }).waitFor();
    await expect(run.textContent()).resolves.toMatch(/line 10/);
    await expect(run.locator('pre.story').textContent()).resolves.toMatch(/missing-refer\.yaml:10:5: no REFER/);
    await shot('scenarios');
    await run.getByRole('link', { name: 'call ladder' }).click();
    await page.waitForURL(/\/calls\/call_\w+$/);
    await page.getByText('INVITE').first().waitFor();
  });

  it("shows POST /public/sip-connections' schema and example in /docs", async () => {
    await page.goto(`${emulator.url}/docs#/SIP%20connections/createSipConnection`);
    const operation = page.locator('#operations-SIP_connections-createSipConnection');
    await operation.locator('.opblock-body').waitFor({ timeout: 15_000 });
    await expect(operation.locator('.body-param__example, .microlight').first().textContent()).resolves.toContain('"agentId"');
    await operation.getByRole('tab', { name: 'Schema' }).first().click();
    await operation.locator('.model-box').first().waitFor();
    await expect(operation.locator('.model-box').first().textContent()).resolves.toContain('settings');
    await shot('docs');
  });

  it('works at a narrow width and by keyboard; every region has a name', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${emulator.url}/calls/${callId}`);
    await page.locator('.arrow').first().waitFor({ timeout: 10_000 });
    await shot('ladder-narrow');
    await page.goto(`${emulator.url}/`);
    await page.locator(`tr[data-connection="${connectionId}"]`).waitFor({ timeout: 10_000 });
    await shot('overview-narrow');
    const unnamed = await page.locator('main, nav, section, aside, article, form, table').evaluateAll((all) => all.filter((el) => !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')).map((el) => el.outerHTML.slice(0, 80)));
    expect(unnamed).toEqual([]);
    // From the top of the page, Tab reaches the Calls link and Enter opens the view.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Calls');
    await page.keyboard.press('Enter');
    await page.getByRole('main', { name: 'Calls' }).waitFor({ timeout: 5000 });
    expect(new URL(page.url()).pathname).toBe('/calls');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(outside).toEqual([]);
  });
});

