// check_pack.mjs — the board pack in a real Chromium, driven over the
// DevTools protocol (puppeteer-core, pointed at Debian's chromium): no
// element wider than its page, on screen at 1280 px and in print on A4
// landscape; every SVG titled and described; headings in order; no
// scripts or network; then axe-core, failing on any serious or critical
// violation. Usage: node check_pack.mjs PACK.html CHROMIUM [SCREENSHOT.png]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;
const [pack, chromium, screenshot] = process.argv.slice(2);
let failures = 0;
const started = Date.now();
const step = (what) => console.log(`check_pack: ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

// The printable width of A4 landscape with the pack's 12 mm margins, in CSS px.
const A4_PRINTABLE_WIDTH = Math.floor(((297 - 2 * 12) / 25.4) * 96);

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
step('chromium started');
try {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:'))
      requests.push(request.url());
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(pack).href, { waitUntil: 'load' });
  check(requests.length === 0, `the pack asked the network for ${requests.join(', ')}`);

  const facts = await page.evaluate(() => {
    const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) =>
      Number(h.tagName[1]));
    const svgs = [...document.querySelectorAll('svg')];
    return {
      scripts: document.querySelectorAll('script').length,
      external: [...document.querySelectorAll('[src],link[href]')].length,
      headings,
      svgs: svgs.length,
      untitled: svgs.filter((svg) => svg.getAttribute('role') !== 'img' ||
        !svg.querySelector(':scope > title') || !svg.querySelector(':scope > desc') ||
        !svg.querySelector(':scope > title').textContent.trim()).length,
      charts: document.querySelectorAll('svg.chart').length,
      tables: document.querySelectorAll('svg.chart + p + table.data').length,
      deliverables: document.querySelectorAll('section.deliverable').length,
      brokenLinks: [...document.querySelectorAll('a[href^="#"]')]
        .filter((a) => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
        .map((a) => a.getAttribute('href')),
    };
  });
  check(facts.scripts === 0, `${facts.scripts} script elements`);
  check(facts.external === 0, `${facts.external} elements load something`);
  check(facts.headings[0] === 1, 'the first heading is not an h1');
  for (let i = 1; i < facts.headings.length; i++)
    check(facts.headings[i] <= facts.headings[i - 1] + 1,
      `heading ${i} skips from h${facts.headings[i - 1]} to h${facts.headings[i]}`);
  check(facts.untitled === 0, `${facts.untitled} of ${facts.svgs} SVGs lack role="img", a title or a desc`);
  check(facts.charts > 0 && facts.tables === facts.charts,
    `${facts.charts} charts but ${facts.tables} data tables under them`);
  check(facts.deliverables > 0, 'no deliverable sections');
  check(facts.brokenLinks.length === 0, `links to nothing: ${facts.brokenLinks.join(' ')}`);

  // Nothing wider than the page: on screen, and in print on A4 landscape.
  async function overflowing(label) {
    const found = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      if (document.documentElement.scrollWidth > width + 1)
        out.push(`the document (${document.documentElement.scrollWidth} > ${width})`);
      for (const element of document.body.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width && (box.right > width + 1 || box.left < -1))
          out.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}` +
            `${element.className && typeof element.className === 'string' ? '.' + element.className : ''}` +
            ` (${Math.round(box.left)}..${Math.round(box.right)} of ${width})`);
      }
      return out;
    });
    check(found.length === 0, `${label}: ${found.length} elements overflow: ${found.slice(0, 5).join('; ')}`);
  }
  step('loaded and read the DOM');
  await overflowing('screen at 1280 px');
  await page.emulateMediaType('print');
  await page.setViewport({ width: A4_PRINTABLE_WIDTH, height: 700 });
  await overflowing(`print on A4 landscape (${A4_PRINTABLE_WIDTH} px)`);
  await page.emulateMediaType('screen');
  await page.setViewport({ width: 1280, height: 900 });
  if (screenshot)
    await page.screenshot({ path: screenshot });

  step('overflow checked');
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  step('axe-core ran');
  for (const violation of results.violations)
    console.log(`axe: ${violation.impact} ${violation.id} (${violation.nodes.length}): ${violation.help}` +
      ` e.g. ${violation.nodes[0].target.join(' ')}`);
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(serious.length === 0, `axe-core: ${serious.length} serious or critical violations`);
  console.log(`axe-core ${results.testEngine.version}: ${results.violations.length} violations ` +
    `(${serious.length} serious or critical), ${results.passes.length} rules passed`);
} finally {
  await browser.close();
}
console.log(`pack browser checks: ${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
